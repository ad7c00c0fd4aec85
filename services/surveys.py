"""The monitoring's two surveys of school leavers (grades 9 and 11).

- The conscious-choice self-assessment is a questionnaire data file with a `conscious` rule
  (`quizzes/data/self_check.toml`): each finished sheet is kept with its verdict, and the later
  sheet of a window counts.
- The destination survey («where are you going?»): from June to September the bot asks every
  grade-9 and grade-11 student of the academic year just ended, once a year, through the outbox.
  A college answer names a college and a programme from the catalogue; it counts for «local
  continuation» when the programme is marked demanded in the region. Every answer is kept; the
  later one counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select

from content import Catalogue, OrganisationKind
from db.calendar import Moment
from db.models import Destination, OutboxMessage, Role, SurveyKind, User
from db.records import OrganisationRecord, UserRecord
from db.repositories.stats import LEAVER_GRADES, NewSheet
from db.uow import UnitOfWork
from quizzes import Questionnaire
from services.errors import NotAllowed, NotFound, NotRegistered
from services.outbox_kinds import OutboxKind

#: Local months in which the destination survey is sent and answered.
SURVEY_MONTHS = (6, 7, 8, 9)
DESTINATION_KEY = "destination:{year}"


def survey_year(moment: Moment) -> int | None:
    """The academic year whose leavers are asked now (the one just ended in June to August,
    the one before the current in September); None outside the survey's months."""
    local = moment.now.astimezone(moment.tz)
    if local.month not in SURVEY_MONTHS:
        return None
    return moment.academic_year - 1 if local.month >= 9 else moment.academic_year


def leaver_grade(user: UserRecord, year: int) -> int | None:
    """The user's grade in academic year `year`, if they were a school leaver then."""
    if user.role != Role.STUDENT or user.grade is None or user.grade_year is None:
        return None
    # Counted from the year it was given, forwards or (given anew in September) back.
    grade = user.grade + (year - user.grade_year)
    return grade if grade in LEAVER_GRADES else None


async def queue_destination_surveys(uow: UnitOfWork, moment: Moment, consent_version: str) -> int:
    """Queue the survey for every leaver of the year who has not had it (one INSERT ...
    SELECT; the outbox's unique key makes it once per student per year). Returns how many."""
    year = survey_year(moment)
    if year is None:
        return 0
    key = DESTINATION_KEY.format(year=year)
    queued = OutboxMessage.__table__.alias("queued")
    grade = User.grade + (year - User.grade_year)
    recipients = select(User.id).where(
        User.role == Role.STUDENT,
        User.blocked_at.is_(None),
        User.consent_version == consent_version,
        User.grade.is_not(None),
        User.grade_year.is_not(None),
        grade.in_(LEAVER_GRADES),
        ~exists().where(queued.c.user_id == User.id, queued.c.key == key),
    )
    async with uow.write():
        return await uow.outbox.queue_selected(
            recipients,
            key,
            OutboxKind.DESTINATION_SURVEY,
            moment.now,
            payload={"year": year},
        )


@dataclass(frozen=True, slots=True)
class DestinationChoice:
    answer: Destination
    college: OrganisationRecord | None = None
    #: The programme's title ("" when none was chosen).
    programme: str = ""
    demanded: bool = False


async def colleges(uow: UnitOfWork) -> list[OrganisationRecord]:
    """The catalogue's colleges (the «another college» entry last)."""
    found = await uow.organisations.list_active(OrganisationKind.COLLEGE)
    await uow.end_read()
    return found


def choice_of(
    catalogue: Catalogue,
    answer: Destination,
    college: OrganisationRecord | None = None,
    programme: int = 0,
) -> DestinationChoice:
    """The answer a button names; `programme` is the place in the college's list from 1 (0:
    none chosen). NotFound for a programme that is not (or no longer) in the catalogue."""
    if answer != Destination.COLLEGE:
        return DestinationChoice(answer)
    if college is None or college.kind != OrganisationKind.COLLEGE:
        raise NotFound(programme)
    if programme == 0:
        return DestinationChoice(answer, college)
    listed = catalogue.programmes_of(college.code)
    if not 1 <= programme <= len(listed):
        raise NotFound(programme)
    chosen = listed[programme - 1]
    return DestinationChoice(answer, college, chosen.title, chosen.demanded)


async def answer_destination(
    uow: UnitOfWork, user_id: int, year: int, choice: DestinationChoice, moment: Moment
) -> None:
    """Keep the answer (the later one counts). NotAllowed when the survey is closed or the user
    was not a leaver that year."""
    if survey_year(moment) != year:
        raise NotAllowed(year)
    async with uow.write():
        user = await uow.users.get(user_id)
        if user is None:
            raise NotRegistered
        grade = leaver_grade(user, year)
        if grade is None:
            raise NotAllowed(year)
        await uow.stats.add_sheet(
            NewSheet(
                kind=SurveyKind.DESTINATION,
                user_id=user.id,
                organisation_id=user.organisation_id,
                grade=grade,
                academic_year=year,
                window=0,
                answer=choice.answer,
                counts=choice.demanded,
                created_at=moment.now,
                college=choice.college.code if choice.college is not None else "",
                programme=choice.programme,
            )
        )


async def survey_grade(uow: UnitOfWork, user_id: int, year: int) -> int | None:
    """The user's leaver grade in `year` (for the survey's question), or None."""
    user = await uow.users.get(user_id)
    await uow.end_read()
    return leaver_grade(user, year) if user is not None else None


# --- the self-assessment -----------------------------------------------------------------------


def self_check_sheet(
    quiz: Questionnaire, user: UserRecord, scores: dict[str, int], moment: Moment, grade: int | None
) -> NewSheet | None:
    """The sheet of a finished self-assessment (None for a questionnaire without a `conscious`
    rule, or a user outside its audience)."""
    rule = quiz.conscious
    if rule is None or grade not in LEAVER_GRADES:
        return None
    conscious = rule.holds(scores)
    return NewSheet(
        kind=SurveyKind.SELF_CHECK,
        user_id=user.id,
        organisation_id=user.organisation_id,
        grade=grade,
        academic_year=moment.academic_year,
        window=quiz.window_of(moment.now.astimezone(moment.tz).month) or 0,
        answer="conscious" if conscious else "unsure",
        counts=conscious,
        created_at=moment.now,
    )
