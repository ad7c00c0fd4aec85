"""Callback data of every button: ids only (Telegram allows 64 bytes), parsed and typed by aiogram.

Any client can send any data, so every field is bounded: a number outside what the database
column can hold, or a string longer than any real id, does not parse. Anything that does not
parse (an old format, a forged payload) falls through to the fallback router, which answers
politely and shows the current screen. Renaming a field does not change the packed format
(fields are packed by position), so buttons already sent keep working.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

#: Bounds of the database columns the ids are looked up in (forged data must not overflow them).
SmallNumber = Annotated[int, Field(ge=0, le=2**15 - 1)]
RowId = Annotated[int, Field(ge=0, le=2**31 - 1)]
BigRowId = Annotated[int, Field(ge=0, le=2**63 - 1)]
#: A user's id: a Telegram id, or a MAX user's, which the bot keeps negative (db/channels.py).
UserId = Annotated[int, Field(ge=-(2**63 - 1), le=2**63 - 1)]
Code = Annotated[str, Field(max_length=40)]
#: Calendar parts: a forged month 13 or year 0 fails the filter (the outdated-button answer)
#: instead of reaching the dialog's saved state.
Year = Annotated[int, Field(ge=2000, le=2100)]
Month = Annotated[int, Field(ge=1, le=12)]
Day = Annotated[int, Field(ge=1, le=31)]


class Page(StrEnum):
    """The pages a navigation button opens."""

    MENU = "menu"
    HELP = "help"
    PROFILE = "profile"
    RESULTS = "results"
    TYPES = "types"
    PLACES = "places"
    MYDATA = "mydata"
    WELCOME = "welcome"
    PLANS = "plans"
    EVENT_KINDS = "event-kinds"
    MANAGE = "manage"
    BROADCASTS = "broadcasts"
    ADMIN = "admin"


class Nav(CallbackData, prefix="nav"):
    to: Page


class ConsentAction(StrEnum):
    SHOW = "show"
    AGREE = "agree"
    DECLINE = "decline"


class Consent(CallbackData, prefix="consent"):
    action: ConsentAction


class PickRole(CallbackData, prefix="role"):
    role: Code


class ProfilePart(StrEnum):
    ROLE = "role"
    ORGANISATION = "organisation"
    GRADE = "grade"


class ChangeProfile(CallbackData, prefix="prof"):
    part: ProfilePart


class PickOrganisation(CallbackData, prefix="org"):
    id: RowId


class PickGrade(CallbackData, prefix="grade"):
    grade: SmallNumber


class QuizStep(StrEnum):
    """What a questionnaire's control buttons ask for (not its answers)."""

    INTRO = "intro"
    BEGIN = "begin"
    ASK_RESTART = "ask-restart"
    PAUSE = "pause"


class QuizControl(CallbackData, prefix="quiz"):
    action: QuizStep
    quiz: Code


class RestartQuiz(CallbackData, prefix="restart"):
    """ "Да, начать заново": names the open attempt the user agreed to drop (0: none was open),
    so that a confirmation tapped later, on an old message, cannot wipe a newer attempt."""

    quiz: Code
    attempt: BigRowId


class Answer(CallbackData, prefix="ans"):
    quiz: Code
    attempt: BigRowId
    question: SmallNumber
    key: Code


class Back(CallbackData, prefix="back"):
    quiz: Code
    attempt: BigRowId
    question: SmallNumber


class ShowResult(CallbackData, prefix="res"):
    attempt: BigRowId


class ShowType(CallbackData, prefix="type"):
    scale: Code


class ShowPlace(CallbackData, prefix="place"):
    code: Code


class Forget(CallbackData, prefix="forget"):
    confirm: bool


# --- events -----------------------------------------------------------------------------------


class EventList(CallbackData, prefix="evl"):
    """A page of upcoming events; `kind` empty: all kinds."""

    kind: Code = ""
    page: SmallNumber = 0


class ShowEvent(CallbackData, prefix="ev"):
    """An event's card; `kind` and `page` are the list to go back to."""

    id: BigRowId
    kind: Code = ""
    page: SmallNumber = 0


class EventStep(StrEnum):
    SIGN_UP = "up"
    CANCEL = "cancel"
    CANCEL_CONFIRMED = "cancel-yes"
    CALENDAR = "ics"


class EventAction(CallbackData, prefix="eva"):
    id: BigRowId
    action: EventStep


class PlansFile(CallbackData, prefix="plf"):
    """All of «Мои планы» as one calendar file."""


class ConsentFor(CallbackData, prefix="cfor"):
    """The consent screen opened from an event's link: after it (and the profile) the user
    lands on that event."""

    action: ConsentAction
    code: Code


class Feedback(CallbackData, prefix="fb"):
    """The two questions after a trial: liked 1 yes, 2 no; helped 0 not answered yet, 1 yes,
    2 no, 3 partly."""

    event: BigRowId
    liked: Annotated[int, Field(ge=1, le=2)]
    helped: Annotated[int, Field(ge=0, le=3)] = 0


# --- coordinators -----------------------------------------------------------------------------


class ManageList(CallbackData, prefix="mgl"):
    page: SmallNumber = 0


class ManageStep(StrEnum):
    SHOW = "show"
    PEOPLE = "people"
    CSV = "csv"
    XLSX = "xlsx"
    LINK = "link"
    EDIT = "edit"
    CANCEL = "cancel"
    CANCEL_CONFIRMED = "cancel-yes"
    ALL_CAME = "all-came"


class Manage(CallbackData, prefix="mg"):
    id: BigRowId
    action: ManageStep = ManageStep.SHOW


class Attend(CallbackData, prefix="att"):
    """Mark one person as present (`came`) or not, on the attendance screen."""

    event: BigRowId
    user: UserId
    came: bool


class AdminStep(StrEnum):
    INVITE = "invite"
    INVITE_FOR = "invite-for"
    REVOKE_INVITE = "revoke-invite"
    REVOKE = "revoke"
    REVOKE_CONFIRMED = "revoke-yes"


class AdminAction(CallbackData, prefix="adm"):
    action: AdminStep
    #: An organisation, an invite or a user, by the action.
    target: UserId = 0


# --- the event editor (a dialog whose state is kept in the FSM storage) ----------------------


class EditorPick(CallbackData, prefix="ed"):
    """A choice on the editor's current step: `field` names the step, `value` the choice."""

    field: Code
    value: Code = ""


class CalendarMonth(CallbackData, prefix="calm"):
    field: Code
    year: Year
    month: Month


class CalendarDay(CallbackData, prefix="cald"):
    field: Code
    year: Year
    month: Month
    day: Day


# --- subscriptions to announcements of new events ---------------------------------------------

#: A bitmask of choices (grades: `1 << grade`, grades 1-11 fit in 12 bits).
Mask = Annotated[int, Field(ge=0, le=2**12 - 1)]


class SubStep(StrEnum):
    SHOW = "show"
    SUBSCRIBE = "on"
    #: «Отписаться» (on an announcement, or on «Мои подписки»): at once, no question asked.
    UNSUBSCRIBE = "off"
    #: «Вернуть подписку»: the choice from before, switched on again.
    RESUBSCRIBE = "again"
    KINDS = "kinds"
    AUDIENCES = "audiences"
    GRADES = "grades"
    SCHOOLS = "schools"


class Subscriptions(CallbackData, prefix="sub"):
    """«Мои подписки» and what its buttons open or do."""

    action: SubStep = SubStep.SHOW


class SubPart(StrEnum):
    """What a toggle switches (the values of `services.subscriptions.Part`)."""

    KIND = "kind"
    AUDIENCE = "audience"
    GRADE = "grade"


class SubToggle(CallbackData, prefix="subt"):
    """Switch one kind of event (its `EventKind`), audience (a role) or grade ("9")."""

    part: SubPart
    value: Code


class SubSchool(CallbackData, prefix="subo"):
    """Narrow the subscription to one school (an organisation id); 0: every school."""

    id: RowId = 0


class SetupStep(StrEnum):
    GRADES = "grades"
    SCHOOLS = "schools"
    DONE = "done"


class SubSetup(CallbackData, prefix="subp"):
    """A parent's first subscription: the child's grades are chosen first and carried in the
    buttons (nothing is stored until the school is picked), then the school (`school` 0 at
    DONE: every school)."""

    step: SetupStep = SetupStep.GRADES
    grades: Mask = 0
    school: RowId = 0


class BroadcastPick(CallbackData, prefix="bc"):
    """A choice in the broadcast composer: `field` names what it sets, `value` the choice."""

    field: Code
    value: Code = ""


class BroadcastStep(StrEnum):
    SHOW = "show"
    STOP = "stop"
    STOP_CONFIRMED = "stop-yes"
    FAILURES = "failures"


class BroadcastAct(CallbackData, prefix="bca"):
    """An action on a confirmed broadcast (its card, stopping it, its list of failures)."""

    id: BigRowId
    action: BroadcastStep = BroadcastStep.SHOW


# --- the profession bank, adults' retraining, consultations, content files --------------------


class Bank(CallbackData, prefix="pb"):
    """The profession bank: its front page (`scale` empty) or a type's professions, a page."""

    scale: Code = ""
    page: SmallNumber = 0


class BankSearch(CallbackData, prefix="pbs"):
    """«Найти профессию»: the bot waits for the typed name."""


class ShowProfession(CallbackData, prefix="pf"):
    """A profession's card; `scale` and `page`: the list to go back to (empty: the search)."""

    code: Code
    scale: Code = ""
    page: SmallNumber = 0


class EventProfessions(CallbackData, prefix="evp"):
    """From an event's card to its profession (a trial's) or its interest types in the bank."""

    id: BigRowId


class Adults(CallbackData, prefix="ad"):
    """«Переобучение и работа»: the adults' section (retraining, demanded trades, the
    employment centre, a consultation)."""


class RetrainingList(CallbackData, prefix="rtl"):
    """Retraining programmes; `group` (a `content.retraining.Group`) narrows them to who
    qualifies, empty: all."""

    group: Code = ""


class ShowRetraining(CallbackData, prefix="rt"):
    code: Code
    group: Code = ""


class Trades(CallbackData, prefix="trd"):
    """The trades in demand in the town and the region."""


class EmploymentCentre(CallbackData, prefix="czn"):
    """The employment centre: what it helps with and how to reach it."""


class ConsultStep(StrEnum):
    START = "start"
    ORG = "org"
    TIME = "time"
    CONTACT = "contact"
    SEND = "send"
    CANCEL = "cancel"


class Consult(CallbackData, prefix="cs"):
    """A step of a consultation request; `value`: the organisation's id, the time, the way to
    be reached."""

    step: ConsultStep
    value: Code = ""


class ConsultQueue(CallbackData, prefix="csq"):
    """The coordinator's requests for consultations."""


class ConsultAction(StrEnum):
    SHOW = "show"
    TAKE = "take"
    HELD = "held"
    NOT_HELD = "not-held"


class ConsultAct(CallbackData, prefix="csa"):
    id: BigRowId
    action: ConsultAction = ConsultAction.SHOW


class ContentFiles(CallbackData, prefix="cf"):
    """The committee's content files: download, replace, restore."""


class ContentStep(StrEnum):
    DOWNLOAD = "down"
    UPLOAD = "up"
    VERSIONS = "versions"


class ContentFileAct(CallbackData, prefix="cfa"):
    kind: Code
    action: ContentStep


class ContentRestore(CallbackData, prefix="cfr"):
    """Put a version in force again (0: the file that comes with the code)."""

    kind: Code
    version: BigRowId


# --- the municipal monitoring (/stats) -------------------------------------------------------


class StatsStep(StrEnum):
    SHOW = "show"
    YEARS = "years"
    CHART = "chart"
    XLSX = "xlsx"
    ROSTER = "roster"
    TERM = "term"


class Stats(CallbackData, prefix="st"):
    """A coordinator's monitoring screen of an academic year (0: the current one)."""

    action: StatsStep = StatsStep.SHOW
    year: Annotated[int, Field(ge=0, le=2100)] = 0


class DestinationStep(StrEnum):
    """The destination survey's answers and steps: a college (then its programme), a school's
    10th grade, work, something else."""

    COLLEGE = "college"
    SCHOOL = "school"
    WORK = "work"
    OTHER = "other"
    #: Show the question again; the colleges' list (college 0) or one's programmes.
    ASK = "ask"
    PROGRAMME = "programme"


class DestinationAnswer(CallbackData, prefix="dst"):
    """A school leaver's answer to the destination survey of academic year `year`; for a
    programme, the college's id and the programme's place in the catalogue's list."""

    year: Year
    step: DestinationStep
    college: RowId = 0
    programme: SmallNumber = 0


# --- teachers ---------------------------------------------------------------------------------


class TeacherStep(StrEnum):
    SHOW = "show"
    COURSES = "courses"
    RECORD = "record"
    CANCEL = "cancel"


class Teachers(CallbackData, prefix="tch"):
    """The teachers' section, their list of completed courses, recording one."""

    action: TeacherStep = TeacherStep.SHOW


class CoursePick(CallbackData, prefix="tcp"):
    """A choice while recording a course: `field` the step (hours, date, save), `value` the
    choice; `token` names the entry (an old screen's button is refused)."""

    field: Code
    value: Code = ""
    token: Code = ""


# --- /forget by a coordinator -----------------------------------------------------------------


class HandOver(CallbackData, prefix="hov"):
    """Leave the coordinator's role before being forgotten: hand it to the colleague `to`
    (a Telegram id), or `to` 0: simply drop it."""

    to: UserId = 0


# --- parents and children ---------------------------------------------------------------------


class FamilyStep(StrEnum):
    #: The child's side: who is linked, a link for a parent, unlinking one.
    SHOW = "show"
    INVITE = "invite"
    UNLINK = "unlink"
    UNLINK_CONFIRMED = "unlink-yes"
    #: The parent's side: their children, a child's results and plans, reminders.
    CHILDREN = "children"
    CHILD = "child"
    REMINDERS_ON = "remind-on"
    REMINDERS_OFF = "remind-off"


class Family(CallbackData, prefix="fam"):
    """`id`: the parent (on the child's side) or the child (on the parent's)."""

    action: FamilyStep = FamilyStep.SHOW
    id: UserId = 0


class FamilyAnswer(CallbackData, prefix="fans"):
    """A parent's answer to a child's link (`token`): agree or not."""

    token: Code
    agree: bool


class MinorStep(StrEnum):
    #: «Мне меньше 14 лет» on the consent screen: a link for a parent's consent.
    ASK = "ask"
    CANCEL = "cancel"


class Minor(CallbackData, prefix="minor"):
    action: MinorStep


class GuestAnswer(CallbackData, prefix="gq"):
    """The questionnaire taken without saving (a child under 14 waiting for a parent's
    consent): `given` holds the answers so far, one option key each, so the button itself is
    the whole state and nothing is stored anywhere; the next question is `len(given)`."""

    quiz: Code
    given: Annotated[str, Field(max_length=40, pattern=r"^[a-z0-9]*$")] = ""
