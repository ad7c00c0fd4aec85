"""A problem found in a content file, with where it is (the path of keys to the value), and the
switch that lets a file be checked in two passes: the schema first, then the checks across
entries and across files (`defer_checks`), so that an uploaded file gets every problem listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationInfo

#: Validation context of the upload: leave the checks across entries to the caller.
DEFER = {"defer_checks": True}


@dataclass(frozen=True, slots=True)
class Problem:
    #: Keys and indices to the value (("professions", 3, "title")); empty: the whole file.
    loc: tuple[Any, ...]
    message: str
    #: The line in the file, once it is known (1-based).
    line: int | None = None

    @classmethod
    def at(cls, loc: tuple[Any, ...], message: str) -> Problem:
        return cls(loc, message)


def defer_checks(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("defer_checks"))


def raise_problems(problems: list[Problem]) -> None:
    """At start-up, a file with problems stops the bot with all of them listed."""
    if problems:
        raise ValueError("; ".join(f"{'.'.join(map(str, p.loc))}: {p.message}" for p in problems))
