"""Schema of a questionnaire data file. A file that breaks it fails loudly at start-up."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scale(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,15}$")
    title: str
    description: str
    qualities: str = ""


class Band(_Strict):
    id: str
    min: int = Field(ge=0)
    max: int = Field(ge=0)
    title: str


class Option(_Strict):
    key: str = Field(pattern=r"^[a-z0-9]{1,2}$")
    text: str = Field(min_length=2)
    scale: str


class Question(_Strict):
    #: The question itself, shown above its options (Klimov's pairs need none).
    text: str = ""
    #: At most 8: the buttons are lettered А to З.
    options: tuple[Option, ...] = Field(min_length=2, max_length=8)

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)


class Audience(_Strict):
    """Who is offered the questionnaire (empty: anyone)."""

    roles: tuple[str, ...] = ()
    grades: tuple[int, ...] = ()


class Window(_Strict):
    """A part of the year in which the questionnaire is offered (its answers counted apart,
    so that a change between windows shows)."""

    id: int = Field(ge=1, le=9)
    months: tuple[int, ...] = Field(min_length=1)


class ConsciousRule(_Strict):
    """When a finished sheet counts as a conscious choice: its score on `scale` is at least
    `min`."""

    scale: str
    min: int = Field(ge=0)

    def holds(self, scores: dict[str, int]) -> bool:
        return scores.get(self.scale, 0) >= self.min


class Questionnaire(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,15}$")
    version: str = Field(pattern=r"^[A-Za-z0-9._-]{1,8}$")
    title: str
    author: str = ""
    duration: str = ""
    summary: str
    instruction: str
    scales: tuple[Scale, ...] = Field(min_length=1)
    bands: tuple[Band, ...] = Field(min_length=1)
    questions: tuple[Question, ...] = Field(min_length=1)
    audience: Audience | None = None
    windows: tuple[Window, ...] = ()
    conscious: ConsciousRule | None = None

    @model_validator(mode="after")
    def _check_integrity(self) -> Questionnaire:
        scale_ids = [s.id for s in self.scales]
        if len(scale_ids) != len(set(scale_ids)):
            raise ValueError("scale ids must be unique")
        texts: set[str] = set()
        for number, question in enumerate(self.questions, start=1):
            keys = [o.key for o in question.options]
            if len(keys) != len(set(keys)):
                raise ValueError(f"question {number}: option keys must be unique")
            for option in question.options:
                if option.scale not in scale_ids:
                    raise ValueError(f"question {number}: unknown scale {option.scale!r}")
                if option.text in texts:
                    raise ValueError(f"question {number}: statement repeated: {option.text!r}")
                texts.add(option.text)
        top = self.max_score
        expected = 0
        for band in sorted(self.bands, key=lambda b: b.min):
            if band.min != expected or band.max < band.min:
                raise ValueError("bands must cover every score from 0 without gaps or overlaps")
            expected = band.max + 1
        if expected <= top:
            raise ValueError(f"bands must reach the highest possible score {top}")
        self._check_monitoring(scale_ids, top)
        return self

    def _check_monitoring(self, scale_ids: list[str], top: int) -> None:
        """The self-assessment's parts: its windows and its rule."""
        months = [m for w in self.windows for m in w.months]
        if any(not 1 <= m <= 12 for m in months) or len(months) != len(set(months)):
            raise ValueError("windows: months from 1 to 12, each in one window at most")
        if len({w.id for w in self.windows}) != len(self.windows):
            raise ValueError("windows: ids must be unique")
        if self.conscious is not None:
            if self.conscious.scale not in scale_ids:
                raise ValueError(f"conscious: unknown scale {self.conscious.scale!r}")
            if self.conscious.min > top:
                raise ValueError(f"conscious: min above the highest possible score {top}")

    def window_of(self, month: int) -> int | None:
        """The window `month` falls in; None outside them (or when there are none)."""
        return next((w.id for w in self.windows if month in w.months), None)

    def offered_to(self, role: str | None, grade: int | None, month: int) -> bool:
        """Whether someone of this role and grade is offered the questionnaire this month."""
        audience = self.audience
        if audience is not None:
            if audience.roles and role not in audience.roles:
                return False
            if audience.grades and grade not in audience.grades:
                return False
        return not self.windows or self.window_of(month) is not None

    @property
    def max_score(self) -> int:
        """The highest score any one scale can reach (a point per question that has an option
        of it: one answer a question)."""
        return max(
            sum(1 for q in self.questions if any(o.scale == s.id for o in q.options))
            for s in self.scales
        )

    def scale(self, scale_id: str) -> Scale:
        return next(s for s in self.scales if s.id == scale_id)

    def band(self, score: int) -> Band:
        return next(b for b in self.bands if b.min <= score <= b.max)

    @property
    def length(self) -> int:
        return len(self.questions)


def load_questionnaire(path: Path) -> Questionnaire:
    with path.open("rb") as fh:
        return Questionnaire.model_validate(tomllib.load(fh))
