"""Callback data of every button: ids only (Telegram allows 64 bytes), parsed and typed by aiogram.

Anything that does not parse (an old format, a forged payload) falls through to the fallback
router, which answers politely and shows the current screen.
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class Screen(StrEnum):
    MENU = "menu"
    HELP = "help"
    PROFILE = "profile"
    RESULTS = "results"
    TYPES = "types"
    PLACES = "places"
    MYDATA = "mydata"
    WELCOME = "welcome"


class Nav(CallbackData, prefix="nav"):
    to: Screen


class ConsentAction(StrEnum):
    SHOW = "show"
    AGREE = "agree"
    DECLINE = "decline"


class Consent(CallbackData, prefix="consent"):
    action: ConsentAction


class PickRole(CallbackData, prefix="role"):
    role: str


class ChangeProfile(CallbackData, prefix="prof"):
    part: str  # "role" | "organisation" | "grade"


class PickOrganisation(CallbackData, prefix="org"):
    id: int


class PickGrade(CallbackData, prefix="grade"):
    grade: int


class QuizAction(StrEnum):
    INTRO = "intro"
    BEGIN = "begin"
    ASK_RESTART = "ask-restart"
    PAUSE = "pause"


class QuizCmd(CallbackData, prefix="quiz"):
    action: QuizAction
    quiz: str


class RestartQuiz(CallbackData, prefix="restart"):
    """ "Да, начать заново": names the open attempt the user agreed to drop (0: none was open),
    so that a confirmation tapped later, on an old message, cannot wipe a newer attempt."""

    quiz: str
    attempt: int


class Answer(CallbackData, prefix="ans"):
    quiz: str
    attempt: int
    q: int
    key: str


class Back(CallbackData, prefix="back"):
    quiz: str
    attempt: int
    q: int


class ShowResult(CallbackData, prefix="res"):
    attempt: int


class ShowType(CallbackData, prefix="type"):
    scale: str


class ShowPlace(CallbackData, prefix="place"):
    code: str


class Forget(CallbackData, prefix="forget"):
    confirm: bool
