"""Coordinators may reword every message in locales/ru/*.ftl: the bot must work just the same.

The locale is reworded mechanically (every message gets a mark in front, and every «е» in its
text becomes «э»), the app is built with it, and the main journeys run through the dispatcher,
tapping the reworded buttons and expecting the reworded texts — and never the original ones.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from fluent.syntax import FluentParser, FluentSerializer, ast
from fluent.syntax.visitor import Transformer

from bot.config import Settings
from bot.conversation import Conversation
from bot.factory import App, create_app, create_bot, create_dispatcher
from bot.local_session import LocalTelegram
from db.models import EventKind
from db.records import EventDraft
from locales import LOCALES_DIR, Texts
from services import events as event_service
from services.coordinators import Staff
from tests.conftest import FakeClock

MARK = "✎ "
ADMIN = 9100


class Reword(Transformer):
    """Every text of every message changes; placeables, selectors and keys stay."""

    def visit_TextElement(self, node: ast.TextElement) -> ast.TextElement:  # noqa: N802
        node.value = node.value.replace("е", "э")
        return node

    def visit_Message(self, node: ast.Message) -> ast.Message:  # noqa: N802
        self.generic_visit(node)
        if node.value is not None:
            node.value.elements.insert(0, ast.TextElement(MARK))
        return node


def reworded_locale(directory: Path) -> Texts:
    """Every .ftl file of the locale (the bot loads them all), reworded."""
    (directory / "ru").mkdir(parents=True)
    for path in (LOCALES_DIR / "ru").glob("*.ftl"):
        resource = Reword().visit(FluentParser().parse(path.read_text(encoding="utf-8")))
        (directory / "ru" / path.name).write_text(FluentSerializer().serialize(resource), "utf-8")
    return Texts("ru", directory=directory)


@pytest.fixture
async def reworded_app(database_url: str, tmp_path: Path, clock: FakeClock) -> AsyncIterator[App]:
    settings = Settings(
        _env_file=None, database_url=database_url, bot_token=None, admin_ids=frozenset({ADMIN})
    )
    app = await create_app(settings, clock=clock, texts=reworded_locale(tmp_path / "locales"))
    yield app
    await app.close()


def chat_of(app: App, user_id: int = 5001) -> Conversation:
    telegram = LocalTelegram()
    bot = create_bot(app.settings, session=telegram)
    return Conversation(create_dispatcher(app), bot, telegram, user_id)


def test_every_message_is_reworded(tmp_path: Path) -> None:
    original, reworded = Texts(), reworded_locale(tmp_path)
    assert reworded("btn-agree") == MARK + original("btn-agree").replace("е", "э")
    assert reworded("quiz-option", letter="А", text="Ухаживать") == MARK + original(
        "quiz-option", letter="А", text="Ухаживать"
    )


async def test_the_journeys_work_with_reworded_texts(reworded_app: App, clock: FakeClock) -> None:
    app = reworded_app
    texts, original = app.texts, Texts()
    chat = chat_of(app)

    # Registration.
    await chat.send("/start")
    assert chat.last.text.startswith(MARK)
    assert original("welcome", linked="no") not in chat.last.text
    await chat.click(texts("btn-welcome-next"))
    await chat.click(texts("btn-agree"))
    await chat.click(texts("role-student"))
    await chat.click("Школа № 1")  # the catalogue's name, not a locale text
    await chat.click(texts("btn-grade", grade=9))
    assert texts("profile-saved") in chat.last.text

    # The whole questionnaire, to the result.
    quiz = app.quizzes["klimov"]
    await chat.click(texts("btn-quiz-start", title=quiz.title))
    await chat.click(texts("btn-quiz-begin"))
    await chat.send("что-то не то")  # typed text mid-questionnaire
    assert texts("quiz-use-buttons") in chat.messages[-2].text
    for _ in range(quiz.length):
        await chat.click("А")
    assert chat.last_toast == texts("quiz-finished-toast")
    assert texts("result-footer") in chat.last.text
    assert original("result-footer") not in chat.last.text
    await chat.click(texts("btn-results"))
    assert texts("results-list", count=1, shown="all") in chat.last.text

    # An outdated button.
    await chat.press("nav:nowhere")
    assert chat.last_toast == texts("button-outdated")

    # Events: find one, sign up, see it in the plans.
    async with app.uow_factory() as uow:
        [college, *_] = await uow.organisations.list_active("college")
        start = clock() + timedelta(days=5)
        draft = EventDraft(
            kind=EventKind.OPEN_DAY,
            title="День открытых дверей",
            organisation_id=college.id,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            place="ул. Коммунистическая, 2",
            capacity=10,
            roles=("student",),
        )
        await event_service.create_event(uow, Staff(ADMIN, frozenset({ADMIN})), draft, clock())
    await chat.send("/events")
    await chat.click(next(label for label, _ in chat.last.buttons if "День открытых" in label))
    await chat.click(texts("btn-event-sign-up"))
    assert chat.last_toast == texts("event-sign-up-toast", outcome="confirmed")
    await chat.click(texts("btn-menu"))
    await chat.click(texts("btn-plans"))
    assert texts("plans", count=1) in chat.last.text

    # Privacy.
    await chat.send("/mydata")
    await chat.click(texts("btn-forget"))
    await chat.click(texts("btn-forget-yes"))
    assert texts("forget-done") in chat.last.text
    assert original("forget-done") not in chat.last.text
    assert not [m for m in chat.messages if texts("error") in m.text]
