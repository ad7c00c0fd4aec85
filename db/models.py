"""Tables. Personal data is kept to the minimum the service needs (see docs/ARCHITECTURE.md)."""

from __future__ import annotations

from datetime import datetime, timedelta
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
    Text,
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
    EVENT_ATTENDED = "event_attended"
    TRIAL_COMPLETED = "trial_completed"
    TRIAL_FEEDBACK = "trial_feedback"
    CONSULTATION = "consultation"
    #: A teacher's completed qualification course on career guidance (one step per course):
    #: the committee's indicator of trained teachers counts these.
    TEACHER_COURSE = "teacher_course"


class EventKind(StrEnum):
    """The municipal model's products (the order is the order of the kind filter)."""

    TRIAL = "trial"  # профессиональная проба
    OPEN_DAY = "open_day"
    EXCURSION = "excursion"
    MEETING = "meeting"  # with professionals, labour dynasties, veterans of labour
    COMPETITION = "competition"
    PROFESSION_MONTH = "profession_month"
    GAME = "game"  # role-play games about choosing a profession
    EMPLOYMENT_CENTRE = "employment_centre"  # meetings with employment-centre specialists
    TEACHER_SEMINAR = "teacher_seminar"
    TEACHER_COURSE = "teacher_course"  # a qualification course on career guidance for teachers


#: The bit of each role in `Event.audience`.
AUDIENCE_BITS: dict[str, int] = {
    Role.STUDENT: 1,
    Role.COLLEGE_STUDENT: 2,
    Role.PARENT: 4,
    Role.ADULT: 8,
    Role.TEACHER: 16,
}


#: The bit of each event kind in `Subscription.kinds` (the order of `EventKind`; append only).
KIND_BITS: dict[str, int] = {kind: 1 << index for index, kind in enumerate(EventKind)}
#: Every kind: a new subscription hears of them all until narrowed.
ALL_KINDS = sum(KIND_BITS.values())
#: Grades a subscription can pick (a bit each, `1 << grade`).
GRADES = range(1, 12)


def grade_bits(grades: range | list[int] | tuple[int, ...]) -> int:
    return sum(1 << grade for grade in grades)


#: The longest an event may last (a profession month): drafts that last longer are refused, and
#: the list of upcoming events relies on it to skip those long over by the start index.
LONGEST_EVENT = timedelta(days=62)


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


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
    #: The messenger: "telegram" or "max" (a MAX user's id is negative, see db/channels.py).
    channel: Mapped[str] = mapped_column(String(16), server_default="telegram")


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
    #: When the one reminder about an unfinished attempt was queued in the outbox.
    reminded_at: Mapped[datetime | None]


class Step(Base):
    """The monitoring log: one row per completed step, kept when the user is forgotten.

    Organisation, role and grade are copied as they were at that moment so that statistics per
    school, grade and academic year stay true after users move on.
    """

    __tablename__ = "steps"
    __table_args__ = (
        UniqueConstraint("kind", "ref"),
        Index("ix_steps_year_kind", "academic_year", "kind"),
        # The monitoring's queries read these alone (migration 0006): coverage by school and
        # grade, and steps by kind and month.
        Index("ix_steps_coverage", "academic_year", "role", "organisation_id", "grade", "user_id"),
        Index("ix_steps_participation", "academic_year", "kind", "created_at"),
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
    #: The messenger the step was completed in (kept when the user is forgotten).
    channel: Mapped[str] = mapped_column(String(16), server_default="telegram")


class Coordinator(Base):
    """A user appointed (by an administrator's invite) to run one organisation's events. The
    committee's coordinators run all of them. Their own profile (role, school) stays as it is."""

    __tablename__ = "coordinators"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    appointed_by: Mapped[int] = mapped_column(BigInteger)
    appointed_at: Mapped[datetime]


class Invite(Base):
    """A one-time link that makes whoever opens it a coordinator of the organisation."""

    __tablename__ = "invites"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_by: Mapped[int | None] = mapped_column(BigInteger)
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        # Everything the list of upcoming events filters on, so that counting them reads the
        # index alone (migration 0004).
        Index(
            "ix_events_listing",
            "status",
            "starts_at",
            "ends_at",
            "audience",
            "grade_min",
            "grade_max",
            "kind",
        ),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: The short name in the event's deep link (t.me/<bot>?start=<code>), unique.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16), default=EventStatus.DRAFT)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    place: Mapped[str] = mapped_column(String(300), default="")
    link: Mapped[str] = mapped_column(String(300), default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    #: Seats; None: unlimited.
    capacity: Mapped[int | None] = mapped_column(Integer)
    #: Confirmed (and attended) sign-ups, kept with each change under the event's lock.
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    signup_deadline: Mapped[datetime | None]
    #: Who it is for: a bit per role (`AUDIENCE_BITS`), so that listings filter in SQL on both
    #: backends; and for students a grade range (None: any grade).
    audience: Mapped[int] = mapped_column(Integer)
    grade_min: Mapped[int | None] = mapped_column(SmallInteger)
    grade_max: Mapped[int | None] = mapped_column(SmallInteger)
    interest_types: Mapped[list[str]] = mapped_column(JSON)
    profession: Mapped[str] = mapped_column(String(120), default="")
    #: Raised with each published change, so that each change is announced once.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Registration(Base):
    """A user's sign-up for an event: one row per pair, its status changing over time."""

    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        Index("ix_registrations_user", "user_id", "status"),
        Index("ix_registrations_event_status", "event_id", "status", "queued_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    #: The name from the user's Telegram profile at sign-up, so that the organiser knows who
    #: comes (the bot stores no other name); erased with the user.
    display_name: Mapped[str] = mapped_column(String(130), default="")
    #: When the user joined the waiting list (its order); for a confirmed seat, when signed up.
    queued_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Subscription(Base):
    """What a user wants to hear about: announcements of new events of some kinds, for some
    audiences (a parent: their child's grades and school). One row per user; unsubscribing
    keeps the choice (`active` off), so that «Вернуть» restores it."""

    __tablename__ = "subscriptions"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Event kinds (`KIND_BITS`).
    kinds: Mapped[int] = mapped_column(Integer)
    #: Whose events: a bit per role (`AUDIENCE_BITS`), matched against `Event.audience`.
    audiences: Mapped[int] = mapped_column(Integer)
    #: Grades (`1 << grade`); 0: any grade.
    grades: Mapped[int] = mapped_column(Integer, default=0)
    #: A school: its own events and everyone else's; None: every school's events.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class BroadcastStatus(StrEnum):
    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class Broadcast(Base):
    """A coordinator's message to many: its content, and how far its sending has got. The
    delivery rows (one per recipient) are in `outbox`, written when it is confirmed."""

    __tablename__ = "broadcasts"
    __table_args__ = (
        Index("ix_broadcasts_due", "status", "send_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: The composer's draft: confirming the same draft twice makes one broadcast.
    token: Mapped[str] = mapped_column(String(40), unique=True)
    #: Whose broadcast it is (None: the committee's or an administrator's).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    created_by: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    #: Telegram HTML.
    text: Mapped[str] = mapped_column(String(5000), default="")
    #: "photo", "document" or None; the file is the messenger's (its file id), not kept here.
    media_kind: Mapped[str | None] = mapped_column(String(16))
    media_file_id: Mapped[str | None] = mapped_column(String(250))
    #: The messenger the file id belongs to (the one the coordinator composed it in); the
    #: other messenger's recipients get a copy (`broadcast_files`).
    media_channel: Mapped[str] = mapped_column(String(16), server_default="telegram")
    #: A document's name as it was sent (a copy in the other messenger keeps it).
    media_name: Mapped[str | None] = mapped_column(String(255))
    #: Where a MAX file can be downloaded (MAX's token sends it again in MAX only); None for
    #: Telegram's, which the Bot API finds by the file id.
    media_url: Mapped[str | None] = mapped_column(String(2000))
    #: A button: a web link, or an event's card.
    link_url: Mapped[str] = mapped_column(String(300), default="")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    #: Sent to the subscribers of a topic: each message offers to unsubscribe.
    to_subscribers: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The audience as it was chosen (for the summary).
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    send_at: Mapped[datetime]
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    #: The coordinator's progress message, edited in place while it sends.
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_at: Mapped[datetime | None]


class BroadcastFile(Base):
    """A broadcast's photo or document in the messenger it was not composed in: its file id
    there once uploaded (every later delivery reuses it), or why it could not be carried.
    One row per (broadcast, messenger); `holder` names the process carrying it now, since
    `claimed_at` (a claim whose process died lapses with the outbox's lease)."""

    __tablename__ = "broadcast_files"

    broadcast_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True
    )
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    file_id: Mapped[str | None] = mapped_column(String(250))
    holder: Mapped[str | None] = mapped_column(String(40))
    claimed_at: Mapped[datetime | None]
    #: The last failure: for good (`failed`), or passing (tried again from `retry_at`).
    error: Mapped[str | None] = mapped_column(String(300))
    failed: Mapped[bool] = mapped_column(Boolean, default=False)
    retry_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class OutboxMessage(Base):
    """A message the bot sends unasked (a reminder, a notice, an announcement, one recipient
    of a broadcast), written before it is sent and drained by the scheduler; unique per
    (user, key), so nothing is queued twice."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_outbox_pending", "sent_at", "not_before"),
        Index("ix_outbox_broadcast", "broadcast_id", "outcome"),
        # The sender's claim walks the due rows in order and stops at a round's worth (it read
        # and sorted every waiting row: 12 ms a round with 10 000 waiting on PostgreSQL) ...
        Index(
            "ix_outbox_due",
            "not_before",
            "id",
            sqlite_where=text("sent_at IS NULL AND claimed_at IS NULL"),
            postgresql_where=text("sent_at IS NULL AND claimed_at IS NULL"),
        ),
        # ... and finds what was claimed lately (one message a second per chat) or never
        # finished (interrupted) among the few rows claimed, not among all.
        Index("ix_outbox_claimed", "claimed_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: What it is about, e.g. "event:12:day" (a reminder) or "event:12:cancelled".
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    not_before: Mapped[datetime]
    #: When its sending began. A claim never finished (the process was killed while sending)
    #: is not sent again: Telegram may have delivered it. It ends as failed, "interrupted".
    claimed_at: Mapped[datetime | None]
    #: Sent, or given up for good (blocked bot, an event that has begun): never again.
    sent_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))
    #: Why it failed (Telegram's description), or the last passing failure before a retry.
    error: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE")
    )


class ConversationState(Base):
    """aiogram FSM state and data of one chat (a half-filled coordinator dialog), so that a
    restart or another process continues it."""

    __tablename__ = "conversation_state"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime]


# --- consultations and content files ---------------------------------------------------------


class ConsultationStatus(StrEnum):
    NEW = "new"
    TAKEN = "taken"
    HELD = "held"
    NOT_HELD = "not_held"


class Consultation(Base):
    """A person's request for a consultation at the employment centre or a college: the topic,
    the preferred time, and a phone number only if they shared it. Erased with the person
    (/forget); a held one is also a monitoring step, which stays."""

    __tablename__ = "consultations"
    __table_args__ = (
        Index("ix_consultations_queue", "organisation_id", "status", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    topic: Mapped[str] = mapped_column(String(500))
    #: morning, day, evening or any (`services.consultations.TIMES`).
    preferred: Mapped[str] = mapped_column(String(16))
    #: Only when the person shared it (their own contact card, or typed); otherwise through the bot.
    phone: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16))
    #: The coordinator who took it.
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: One per draft: a double tap on «Отправить» makes one request.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime]
    taken_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class ContentFile(Base):
    """An accepted version of a content file (catalogue, professions, retraining) that a
    committee coordinator sent the bot, or a restored earlier one. The newest of each kind is
    in force in every process; the ones before it are kept to be restored."""

    __tablename__ = "content_files"
    __table_args__ = (
        Index("ix_content_files_kind", "kind", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: `content.library.ContentKind`.
    kind: Mapped[str] = mapped_column(String(16))
    #: The file as sent (TOML, UTF-8).
    text: Mapped[str] = mapped_column(Text)
    #: How many entries it holds (shown in the list of versions).
    entries: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The version this one restores (None: uploaded; 0: the file that comes with the code).
    restored_from: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class MaxMessage(Base):
    """A MAX message (MAX names it by a string, `mid`) under the integer id the bot knows it by,
    so that a screen is still edited in place after a restart."""

    __tablename__ = "max_messages"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    mid: Mapped[str] = mapped_column(String(128), unique=True)
    #: The bot's id of the private chat (the negative MAX user id).
    chat_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


# --- the municipal monitoring (statistics) --------------------------------------------------


class Roster(Base):
    """How many students a school has in a grade in an academic year: the denominator of
    coverage, entered or imported by the committee."""

    __tablename__ = "roster"

    academic_year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    grade: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    students: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]


class TermIndicators(Base):
    """The administrative indicators the committee enters once a term (the latest term of a
    year is the year's figure)."""

    __tablename__ = "term_indicators"

    academic_year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    term: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    #: Agreements with partners (enterprises, colleges) in force.
    agreements: Mapped[int] = mapped_column(Integer)
    #: Teachers who completed career-guidance courses.
    teachers_trained: Mapped[int] = mapped_column(Integer)
    #: Schools with a career-guidance page on their website.
    schools_with_page: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]


class SurveyKind(StrEnum):
    #: The conscious-choice self-assessment (a questionnaire with a `conscious` rule).
    SELF_CHECK = "self_check"
    #: Where a school leaver goes after grade 9 or 11.
    DESTINATION = "destination"


class Destination(StrEnum):
    COLLEGE = "college"
    SCHOOL = "school"  # the 10th grade of a school
    WORK = "work"
    OTHER = "other"


class SurveyAnswer(Base):
    """One answer sheet of a survey. Every sheet is kept; the latest of a user in a year (and
    window) is the one that counts (`latest`), which stays true after the user is forgotten.
    School, grade and the derived flag are as they were at that moment."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        # Everything the indicators count, so that they read the index alone.
        Index(
            "ix_survey_answers_year",
            "academic_year",
            "kind",
            "latest",
            "window",
            "organisation_id",
            "grade",
            "answer",
            "counts",
        ),
        Index("ix_survey_answers_user", "user_id", "kind", "academic_year", "window"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    grade: Mapped[int | None] = mapped_column(SmallInteger)
    academic_year: Mapped[int] = mapped_column(SmallInteger)
    #: The self-assessment's window in the year (1, 2); 0 for the destination survey.
    window: Mapped[int] = mapped_column(SmallInteger, default=0)
    #: The choice: a `Destination`, or the self-assessment's verdict.
    answer: Mapped[str] = mapped_column(String(16))
    #: The college's catalogue code and the programme's title (a destination «college»).
    college: Mapped[str] = mapped_column(String(40), default="")
    programme: Mapped[str] = mapped_column(String(200), default="")
    #: What the indicator counts: a conscious choice, or continuing in a regional college in
    #: a demanded programme.
    counts: Mapped[bool] = mapped_column(Boolean, default=False)
    latest: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class ParentLink(Base):
    """A parent linked to their child (a student): the parent sees the child's results and
    plans and may get the child's event reminders. Made when the parent accepts the child's
    link; the child can end it. `consent_by_parent`: the parent also gave the consent for a
    child under 14 (the version of that text in `consent_version`)."""

    __tablename__ = "parent_links"
    __table_args__ = (
        UniqueConstraint("parent_id", "child_id"),
        Index("ix_parent_links_child", "child_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    child_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: The parent's first name from Telegram when they accepted, so the child knows who it is.
    parent_name: Mapped[str] = mapped_column(String(130), default="")
    #: The parent gets the child's event reminders too.
    reminders: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_by_parent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_version: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]


class FamilyInvite(Base):
    """A one-time link (t.me/<bot>?start=f-<token>, valid 7 days) a student forwards to a
    parent: to link them (`purpose` "link"), or, for a child under 14, to ask for the consent
    (`purpose` "consent"). Such a child is not a user yet, so `child_id` (their Telegram id)
    is no foreign key: with the token and the times it is all that is kept about them until
    the parent agrees."""

    __tablename__ = "family_invites"
    __table_args__ = (
        Index("ix_family_invites_child", "child_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token: Mapped[str] = mapped_column(String(40), unique=True)
    child_id: Mapped[int] = mapped_column(BigInteger)
    purpose: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_by: Mapped[int | None] = mapped_column(BigInteger)
    used_at: Mapped[datetime | None]


# --- several processes -------------------------------------------------------------------------


class UpdateClaim(Base):
    """An update from Telegram that a process took in hand, so that one delivered twice (to
    any process) is handled once (bot/middlewares.py `OncePerUpdate`). `token` names the
    process holding it; `claimed_at` is renewed while it works on it, so a claim that stops
    being renewed (its process died) lapses and a redelivery is handled again; `done_at` is
    set when the handling ended. Rows are deleted two days later (Telegram redelivers for a
    day at most)."""

    __tablename__ = "update_claims"
    __table_args__ = (Index("ix_update_claims_claimed_at", "claimed_at"),)

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    token: Mapped[int] = mapped_column(BigInteger)
    claimed_at: Mapped[datetime]
    done_at: Mapped[datetime | None]


class RejectedUpdate(Base):
    """An update a messenger sent that the bot could not read (aiogram's models reject it, or
    a MAX update without the shape MAX documents), set aside for inspection instead of holding
    up the updates behind it (bot/rejected.py). It holds personal data (names, message texts),
    so it names its sender where the update says who that is (`user_id`: the bot's id, a MAX
    user's negative; no foreign key, the sender may be no user of the bot), is erased with
    /forget, shown in /mydata, and deleted `REJECTED_UPDATES_KEEP_DAYS` after it came."""

    __tablename__ = "rejected_updates"
    __table_args__ = (
        Index("ix_rejected_updates_user_id", "user_id"),
        Index("ix_rejected_updates_rejected_at", "rejected_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    #: `db.channels`: telegram, max.
    channel: Mapped[str] = mapped_column(String(16))
    #: Telegram's update_id when it had one (MAX's updates have none).
    update_id: Mapped[int | None] = mapped_column(BigInteger)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    #: The update as it came: its JSON, or the request's body when that was not JSON.
    raw: Mapped[str] = mapped_column(Text)
    #: What is wrong with it, one line per problem (field and complaint, without values).
    problems: Mapped[list[str]] = mapped_column(JSON)
    rejected_at: Mapped[datetime]
