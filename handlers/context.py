"""The request context: everything a handler works with, built once per update by one middleware
(`bot.middlewares.RequestMiddleware`) and injected as `ctx`.

A handler takes the event, its typed callback data if any, and `ctx`; a new screen costs a view
function and its texts, not another threaded list of parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiogram.fsm.context import FSMContext
from aiogram.utils.callback_answer import CallbackAnswer

from content import Catalogue
from content.library import Content, Library
from content.professions import ProfessionBank
from content.retraining import Retraining
from db.calendar import Moment
from db.records import UserRecord
from db.uow import UnitOfWork
from locales import Texts
from quizzes import Questionnaire
from services import profile
from services import quiz as quiz_service
from services.coordinators import Staff

if TYPE_CHECKING:
    from bot.config import Settings

Clock = Callable[[], datetime]

#: Handler flags for a path whose service checks the user itself (consent, profile) in its
#: own transaction: the middleware loads no user for it, and `Request.user` stays None.
NO_USER = {"user": False}


@dataclass(slots=True)
class Request:
    """One update's view of the application.

    `user` is the stored user, or None before consent. Handlers registered with
    `flags={"user": False}` (the questionnaire's answer path) get None there and let their
    service check the user in the same transaction as the change.
    """

    uow: UnitOfWork
    user: UserRecord | None
    texts: Texts
    catalogue: Catalogue
    quizzes: dict[str, Questionnaire]
    clock: Clock
    settings: Settings
    #: The Telegram id of whoever sent the update (0 if none).
    sender_id: int = 0
    #: The answer to a callback query (sent once, after the handler); None for messages.
    callback_answer: CallbackAnswer | None = None
    #: The chat's dialog state (the event editor), kept in the database or Redis.
    state: FSMContext | None = None
    #: The content files in force for this update (the catalogue above is its catalogue).
    content: Content | None = None
    #: The process's content holder (a coordinator's upload swaps a file in it).
    library: Library | None = None

    def now(self) -> datetime:
        return self.clock()

    def moment(self) -> Moment:
        """Now, with the town's time zone (which decides dates and the academic year)."""
        return Moment(self.clock(), self.texts.tz)

    async def load_user(self) -> UserRecord | None:
        """Read the user now, on a path that skipped it (`NO_USER`) and turned out to need it
        (to show where the user stands after a button that no longer applies)."""
        self.user = await profile.get_user(self.uow, self.sender_id)
        return self.user

    def toast(self, key: str, **args: Any) -> None:
        """A short notice on the answer to the tapped button (nothing for a typed message)."""
        if self.callback_answer is not None:
            self.callback_answer.text = self.texts(key, **args)

    def outdated(self) -> None:
        """The tapped button is out of date (or was never on a screen): say so in the answer."""
        self.toast("button-outdated")

    @property
    def staff(self) -> Staff:
        """The sender, as someone who may ask for a coordinator's or administrator's action
        (their rights are checked in the database by the service)."""
        return Staff(self.sender_id, self.settings.admin_ids)

    @property
    def dialog(self) -> FSMContext:
        if self.state is None:
            raise RuntimeError("no dialog state for this update")
        return self.state

    @property
    def member(self) -> UserRecord:
        """The registered user, for screens that only members reach (the handler checked)."""
        if self.user is None:
            raise RuntimeError("this screen needs a registered user")
        return self.user

    @property
    def role(self) -> str:
        """The user's role as the texts select on it: "none" for a guest or before choosing."""
        return self.user.role if self.user is not None and self.user.role else "none"

    @property
    def consent_version(self) -> str:
        """The version of the consent text in force: raising it in the locale asks everyone
        again."""
        return self.texts("consent-version")

    @property
    def consent_outdated(self) -> bool:
        """The user agreed, but to an older consent text."""
        return self.user is not None and not profile.consent_current(
            self.user, self.consent_version
        )

    @property
    def files(self) -> Content:
        """The content files in force for this update."""
        if self.content is None:
            raise RuntimeError("no content for this update")
        return self.content

    @property
    def professions(self) -> ProfessionBank:
        return self.files.professions

    @property
    def retraining(self) -> Retraining:
        return self.files.retraining

    @property
    def interest_quiz(self) -> Questionnaire:
        return quiz_service.interest_quiz(self.quizzes)
