"""Events and professional trials: drafting, publishing, changing and cancelling them
(coordinators), finding them, signing up with a waiting list, and attendance."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from content.catalogue import INTEREST_TYPES
from db.models import EventKind, Role
from db.records import EventDraft

#: Who may be in an event's audience (coordinators and admins are not an audience).
AUDIENCE_ROLES = (
    Role.STUDENT,
    Role.COLLEGE_STUDENT,
    Role.PARENT,
    Role.ADULT,
    Role.TEACHER,
)
GRADES = range(1, 12)
MAX_TITLE = 200
MAX_DESCRIPTION = 2000
MAX_PLACE = 300
MAX_PROFESSION = 120
MAX_CAPACITY = 10_000
MAX_LENGTH = timedelta(days=62)  # a profession month is the longest event
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")
MAX_CODE = 32


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a draft cannot be stored: a locale key (`event-problem-<name>`) and its arguments."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"event-problem-{self.name}"


def new_code() -> str:
    """A deep-link name nobody has to type: 7 letters and digits that cannot be confused."""
    return "e" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def valid_code(code: str) -> bool:
    """Deep-link payloads allow A-Z, a-z, 0-9, _ and - (at most 64); codes are lower case."""
    return 0 < len(code) <= MAX_CODE and set(code) <= CODE_CHARS


def check_draft(
    draft: EventDraft, now: datetime, *, existing_start: datetime | None = None
) -> list[Problem]:
    """Everything wrong with an event as filled in, in the order of the form; empty if none.

    `existing_start`: when editing a published event, its start as stored (an event that has
    already started may be changed without its start being "in the past").
    """
    return [
        *_check_texts(draft),
        *_check_times(draft, now, moved=draft.starts_at != existing_start),
        *_check_audience(draft),
    ]


def _check_texts(draft: EventDraft) -> list[Problem]:
    problems: list[Problem] = []
    if draft.kind not in set(EventKind):
        problems.append(Problem("kind", {"kind": draft.kind}))
    if not draft.title.strip():
        problems.append(Problem("title-empty"))
    limits = {
        "title": (draft.title, MAX_TITLE),
        "description": (draft.description, MAX_DESCRIPTION),
        "place": (draft.place, MAX_PLACE),
        "profession": (draft.profession, MAX_PROFESSION),
    }
    problems.extend(
        Problem("too-long", {"field": name, "max": limit})
        for name, (value, limit) in limits.items()
        if len(value) > limit
    )
    if not draft.place.strip() and not draft.link.strip():
        problems.append(Problem("no-place"))
    if draft.link and not draft.link.startswith(("https://", "http://")):
        problems.append(Problem("link"))
    if draft.code is not None and not valid_code(draft.code):
        problems.append(Problem("code", {"max": MAX_CODE}))
    return problems


def _check_times(draft: EventDraft, now: datetime, *, moved: bool) -> list[Problem]:
    problems: list[Problem] = []
    if moved and draft.starts_at <= now:
        problems.append(Problem("start-past"))
    if draft.ends_at <= draft.starts_at:
        problems.append(Problem("end-before-start"))
    elif draft.ends_at - draft.starts_at > MAX_LENGTH:
        problems.append(Problem("too-long-event"))
    if draft.capacity is not None and not 0 < draft.capacity <= MAX_CAPACITY:
        problems.append(Problem("capacity", {"max": MAX_CAPACITY}))
    if draft.signup_deadline is not None:
        if draft.signup_deadline > draft.starts_at:
            problems.append(Problem("deadline-after-start"))
        elif moved and draft.signup_deadline <= now:
            problems.append(Problem("deadline-past"))
    return problems


def _check_audience(draft: EventDraft) -> list[Problem]:
    problems: list[Problem] = []
    if not draft.roles:
        problems.append(Problem("no-audience"))
    elif not set(draft.roles) <= set(AUDIENCE_ROLES):
        problems.append(Problem("roles"))
    problems.extend(
        Problem("grade", {"grade": grade})
        for grade in (draft.grade_min, draft.grade_max)
        if grade is not None and grade not in GRADES
    )
    low, high = draft.grade_min, draft.grade_max
    if low is not None and high is not None and low > high:
        problems.append(Problem("grades-order"))
    if not set(draft.interest_types) <= set(INTEREST_TYPES):
        problems.append(Problem("interest-types"))
    return problems
