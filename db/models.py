"""Tables. Personal data is kept to the minimum the service needs (see docs/ARCHITECTURE.md)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base

#: An autoincrementing 64-bit key that SQLite also autoincrements (it only does so for INTEGER).
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Role(StrEnum):
    STUDENT = "student"
    COLLEGE_STUDENT = "college_student"
    PARENT = "parent"
    ADULT = "adult"
    TEACHER = "teacher"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


#: Roles a user may pick for themselves; coordinators and admins are appointed.
SELF_SERVICE_ROLES = (Role.STUDENT, Role.COLLEGE_STUDENT, Role.PARENT, Role.ADULT, Role.TEACHER)


class StepKind(StrEnum):
    QUIZ_FINISHED = "quiz_finished"


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(40))
    in_town: Mapped[bool] = mapped_column(Boolean, default=True)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Still in the catalogue file; an entry removed from it is hidden, not deleted.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Order of the entry in the catalogue file, the order in which lists show it.
    position: Mapped[int] = mapped_column(SmallInteger, default=0)


class User(Base):
    __tablename__ = "users"

    #: Telegram user id (private chats only, so it is also the chat id).
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    role: Mapped[str | None] = mapped_column(String(24))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    grade: Mapped[int | None] = mapped_column(SmallInteger)
    #: The academic year (its starting calendar year) in which `grade` was given.
    grade_year: Mapped[int | None] = mapped_column(SmallInteger)
    consent_version: Mapped[str] = mapped_column(String(32))
    consent_at: Mapped[datetime]
    blocked_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class QuizAttempt(Base):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        # At most one unfinished attempt per user and questionnaire, even under concurrent taps.
        Index(
            "uq_quiz_attempts_open",
            "user_id",
            "quiz_id",
            unique=True,
            sqlite_where=text("finished_at IS NULL"),
            postgresql_where=text("finished_at IS NULL"),
        ),
        Index("ix_quiz_attempts_user_finished", "user_id", "finished_at"),
        # Never reuse the id of a deleted attempt: old buttons and monitoring steps refer to it.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    quiz_id: Mapped[str] = mapped_column(String(16))
    quiz_version: Mapped[str] = mapped_column(String(8))
    #: One option key (or null) per question.
    answers: Mapped[list[str | None]] = mapped_column(JSON)
    #: Index of the question on screen; equals the number of questions once all are answered.
    position: Mapped[int] = mapped_column(SmallInteger)
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    #: Points per scale, set when finished.
    scores: Mapped[dict[str, int] | None] = mapped_column(JSON)
    #: When the one reminder about an unfinished attempt was sent.
    reminded_at: Mapped[datetime | None]
    #: When a scheduler claimed that reminder; a claim not followed by `reminded_at` within the
    #: lease (a process stopped between claiming and sending) is taken up again.
    reminder_claimed_at: Mapped[datetime | None]


class Step(Base):
    """The monitoring log: one row per completed step, kept when the user is forgotten.

    Organisation, role and grade are copied as they were at that moment so that statistics per
    school, grade and academic year stay true after users move on.
    """

    __tablename__ = "steps"
    __table_args__ = (
        UniqueConstraint("kind", "ref"),
        Index("ix_steps_year_kind", "academic_year", "kind"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    #: What the step is about, unique per kind, so a repeated update never logs twice.
    ref: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    role: Mapped[str | None] = mapped_column(String(24))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    grade: Mapped[int | None] = mapped_column(SmallInteger)
    academic_year: Mapped[int] = mapped_column(SmallInteger)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
