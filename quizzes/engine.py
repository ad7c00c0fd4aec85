"""Pure questionnaire engine: progress through the questions and scoring. No I/O.

Progress is a value: the answers given so far (one option key or None per question) and the
position of the question on screen. Every step returns a new value; the database stores it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from quizzes.model import Band, Questionnaire


class QuizError(Exception):
    """A step that does not apply to the current progress."""


class StaleQuestion(QuizError):
    """The answer is for a question other than the one on screen (old button, double tap)."""


class UnknownOption(QuizError):
    """The option key does not exist for this question (forged input)."""


class NotFinished(QuizError):
    """Scoring was asked for before every question was answered."""


@dataclass(frozen=True, slots=True)
class Progress:
    answers: tuple[str | None, ...]
    position: int

    @classmethod
    def start(cls, quiz: Questionnaire) -> Progress:
        return cls(answers=(None,) * quiz.length, position=0)

    @classmethod
    def restore(cls, quiz: Questionnaire, answers: Sequence[str | None], position: int) -> Progress:
        padded = (*answers[: quiz.length], *(None,) * (quiz.length - len(answers)))
        return cls(answers=padded, position=max(0, min(position, quiz.length)))

    @property
    def answered(self) -> int:
        return sum(a is not None for a in self.answers)

    @property
    def complete(self) -> bool:
        return all(a is not None for a in self.answers)

    def current_answer(self) -> str | None:
        return self.answers[self.position] if self.position < len(self.answers) else None


def answer(quiz: Questionnaire, progress: Progress, index: int, key: str) -> Progress:
    """Record `key` for question `index` (0-based), which must be the one on screen.

    Moves on to the next question, in order: after steps back the user walks forward through
    the questions again, each showing the answer already given (kept until it is changed).
    When all are answered the position is `quiz.length`.
    """
    if index != progress.position or index >= quiz.length:
        raise StaleQuestion(index)
    if quiz.questions[index].option(key) is None:
        raise UnknownOption(key)
    answers = (*progress.answers[:index], key, *progress.answers[index + 1 :])
    position = index + 1
    if position == quiz.length and None in answers:  # not reachable in order; kept safe
        position = answers.index(None)
    return Progress(answers=answers, position=position)


def back(progress: Progress) -> Progress:
    """Step back one question; the answer given there stays marked until it is changed."""
    if progress.position == 0:
        raise StaleQuestion(0)
    return Progress(answers=progress.answers, position=progress.position - 1)


def score(quiz: Questionnaire, answers: Sequence[str | None]) -> dict[str, int]:
    """Points per scale, in the questionnaire's scale order."""
    if len(answers) != quiz.length or any(a is None for a in answers):
        raise NotFinished
    totals = {s.id: 0 for s in quiz.scales}
    for question, key in zip(quiz.questions, answers, strict=True):
        option = question.option(key or "")
        if option is None:
            raise UnknownOption(key)
        totals[option.scale] += 1
    return totals


@dataclass(frozen=True, slots=True)
class ScaleResult:
    scale_id: str
    score: int
    band: Band


@dataclass(frozen=True, slots=True)
class Interpretation:
    scales: tuple[ScaleResult, ...]
    leading: tuple[str, ...]

    @property
    def is_tie(self) -> bool:
        return len(self.leading) > 1


def interpret(quiz: Questionnaire, scores: Mapping[str, int]) -> Interpretation:
    """Bands for every scale of the questionnaire; the leading scales are all that share the top
    score. A scale missing from `scores` (a result stored before the scale existed) counts 0."""
    known = {s.id: scores.get(s.id, 0) for s in quiz.scales}
    top = max(known.values())
    results = tuple(
        ScaleResult(scale_id=s.id, score=known[s.id], band=quiz.band(known[s.id]))
        for s in quiz.scales
    )
    leading = tuple(s.id for s in quiz.scales if known[s.id] == top)
    return Interpretation(scales=results, leading=leading)
