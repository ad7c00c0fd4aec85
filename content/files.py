"""A content file sent by a coordinator, checked as a whole: TOML syntax, the schema, the checks
across entries, and the references to the other files in force. Every problem is listed with
its line in the file, so the coordinator can fix them all at once. Pure: no Telegram, no
database."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from content.catalogue import DEFAULT_PATH as CATALOGUE_PATH
from content.catalogue import Catalogue
from content.library import Content, ContentKind
from content.problems import DEFER, Problem
from content.professions import DEFAULT_PATH as PROFESSIONS_PATH
from content.professions import ProfessionBank
from content.retraining import DEFAULT_PATH as RETRAINING_PATH
from content.retraining import Retraining

Model = Catalogue | ProfessionBank | Retraining

SHIPPED = {
    ContentKind.CATALOGUE: CATALOGUE_PATH,
    ContentKind.PROFESSIONS: PROFESSIONS_PATH,
    ContentKind.RETRAINING: RETRAINING_PATH,
}
_MODELS: dict[ContentKind, type[Model]] = {
    ContentKind.CATALOGUE: Catalogue,
    ContentKind.PROFESSIONS: ProfessionBank,
    ContentKind.RETRAINING: Retraining,
}
#: Largest file accepted (the shipped ones are a few tens of kilobytes; 2 000 entries ~ 1 MB).
MAX_BYTES = 4 * 1024 * 1024

_TOML_LINE = re.compile(r"at line (\d+)")


@dataclass(frozen=True, slots=True)
class Checked:
    """A file that passed every check."""

    kind: ContentKind
    text: str
    model: Model

    @property
    def entries(self) -> int:
        return entries_of(self.model)

    @property
    def samples(self) -> int:
        return samples_of(self.model)


def entries_of(model: Model) -> int:
    if isinstance(model, Catalogue):
        return len(model.organisations) + len(model.programmes) + len(model.professions)
    if isinstance(model, ProfessionBank):
        return len(model.professions)
    return len(model.programmes) + len(model.trades)


def samples_of(model: Model) -> int:
    if isinstance(model, Catalogue):
        return sum(o.sample for o in model.organisations) + sum(p.sample for p in model.programmes)
    if isinstance(model, ProfessionBank):
        return sum(p.sample for p in model.professions)
    return sum(p.sample for p in model.programmes) + sum(t.sample for t in model.trades)


def shipped_text(kind: ContentKind) -> str:
    return SHIPPED[kind].read_text(encoding="utf-8")


def check(kind: ContentKind, data: bytes | str, content: Content) -> Checked | list[Problem]:
    """The file as a model that fits the other files in force, or every problem found."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            return [Problem((), f"the file is larger than {MAX_BYTES // 1024 // 1024} MB")]
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return [Problem((), "the file is not UTF-8 text")]
    else:
        text = data
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _TOML_LINE.search(str(error))
        return [Problem((), f"TOML: {error}", int(found.group(1)) if found else None)]
    lines = text.splitlines()
    try:
        model = _MODELS[kind].model_validate(raw, context=DEFER)
    except ValidationError as error:
        schema = [Problem(tuple(e["loc"]), e["msg"]) for e in error.errors(include_url=False)]
        # The checks across entries and files, on the entries that passed the schema, so
        # that the coordinator sees every problem at once.
        return _placed(lines, schema + _problems_of_valid(kind, raw, schema, content))
    return _placed(lines, _problems(model, content)) or Checked(kind, text, model)


def _placed(lines: list[str], problems: list[Problem]) -> list[Problem]:
    return [Problem(p.loc, f"{_path(p.loc)}: {p.message}", locate(lines, p.loc)) for p in problems]


def _problems_of_valid(
    kind: ContentKind, raw: dict[str, Any], schema: list[Problem], content: Content
) -> list[Problem]:
    bad: dict[str, set[int]] = {}
    for problem in schema:
        if len(problem.loc) < 2 or not isinstance(problem.loc[1], int):
            return []  # a whole section is wrong: nothing more to say about its entries
        bad.setdefault(str(problem.loc[0]), set()).add(problem.loc[1])
    kept: dict[str, list[int]] = {}
    trimmed = dict(raw)
    for section, failed in bad.items():
        entries = raw.get(section)
        if not isinstance(entries, list):
            return []
        kept[section] = [i for i in range(len(entries)) if i not in failed]
        trimmed[section] = [entries[i] for i in kept[section]]
    try:
        model = _MODELS[kind].model_validate(trimmed, context=DEFER)
    except ValidationError:
        return []
    found = []
    for problem in _problems(model, content):
        loc = problem.loc
        if len(loc) >= 2 and str(loc[0]) in kept:
            loc = (loc[0], kept[str(loc[0])][loc[1]], *loc[2:])
        found.append(Problem(loc, problem.message))
    return found


def _problems(model: Model, content: Content) -> list[Problem]:
    """The file's own cross-checks, and what the other files in force need from it."""
    if isinstance(model, Catalogue):
        found = model.problems()
        codes = set(model.by_code)
        needed = {c for p in content.professions.professions for c in p.study}
        needed |= {p.provider for p in content.retraining.programmes}
        needed |= {c for t in content.retraining.trades for c in t.where}
        missing = sorted(needed - codes)
        if missing:
            found.append(Problem((), f"the other files refer to organisations {missing}"))
        return found
    if isinstance(model, ProfessionBank):
        found = model.problems(content.catalogue)
        codes = set(model.by_code)
        used = {p.profession for p in content.retraining.programmes if p.profession}
        used |= {t.profession for t in content.retraining.trades if t.profession}
        missing = sorted(used - codes)
        if missing:
            found.append(Problem((), f"the retraining file refers to professions {missing}"))
        return found
    found = model.problems(content.catalogue)
    bank = content.professions.by_code
    sections = (
        ("programmes", [p.profession for p in model.programmes]),
        ("trades", [t.profession for t in model.trades]),
    )
    for section, professions in sections:
        for index, profession in enumerate(professions):
            if profession and profession not in bank:
                found.append(
                    Problem(
                        (section, index, "profession"),
                        f"no profession {profession!r} in the profession bank",
                    )
                )
    return found


def _path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "file"


_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?")


def locate(lines: list[str], loc: tuple[Any, ...]) -> int | None:
    """The line (1-based) of the value at `loc` (("professions", 3, "title")) in a file of
    arrays of tables: the `key =` line inside the table, else the table's header."""
    if not loc:
        return None
    section = str(loc[0])
    headers = [(i, m.group(1)) for i, line in enumerate(lines) if (m := _HEADER.match(line))]
    if len(loc) < 2 or not isinstance(loc[1], int):
        return next((i + 1 for i, name in headers if name == section), None)
    own = [i for i, name in headers if name == section]
    if loc[1] >= len(own):
        return None
    start = own[loc[1]]
    end = next((i for i, _ in headers if i > start), len(lines))
    if len(loc) >= 3:
        key = re.compile(rf"^\s*{re.escape(str(loc[2]))}\s*=")
        found = next((i for i in range(start + 1, end) if key.match(lines[i])), None)
        if found is not None:
            return found + 1
    return start + 1


def parse_stored(kind: ContentKind, text: str, content: Content) -> Model:
    """A stored version, trusted to have passed `check` when it was accepted (checked again
    here, against the other files it now meets)."""
    found = check(kind, text, content)
    if isinstance(found, list):
        raise ValueError("; ".join(p.message for p in found))
    return found.model
