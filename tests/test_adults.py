"""Adults looking for work or retraining: their section, retraining programmes narrowed to who
qualifies, a programme's card with how to apply, the trades in demand, the employment centre;
an adult's questionnaire result points to retraining, not to school programmes."""

from __future__ import annotations

from html import escape

from bot.conversation import Conversation
from content.catalogue import load_catalogue
from content.retraining import Group, load_retraining
from handlers.views.quiz import RESULT_PROGRAMMES
from handlers.views.retraining import WORK_PORTAL, retraining_lines
from tests.conftest import TEXTS, World, register, result_head
from tests.test_professions import BANK

RETRAINING = load_retraining()


def test_the_shipped_file_is_valid_and_marked_as_samples() -> None:
    assert RETRAINING.problems(load_catalogue()) == []
    assert RETRAINING.programmes
    assert RETRAINING.trades
    assert all(p.sample for p in RETRAINING.programmes)
    groups = {g for p in RETRAINING.programmes for g in p.groups}
    assert {Group.UNEMPLOYED, Group.DISMISSAL_RISK, Group.AGE_50_PLUS, Group.CHILDCARE_LEAVE} <= (
        groups
    )


async def register_adult(chat: Conversation) -> None:
    await register(chat, role=TEXTS("role-adult"), organisation=None, grade=None)


def links(world: World, chat: Conversation) -> list[str]:
    markup = chat.last.markup
    assert markup is not None
    return [b.url for row in markup.inline_keyboard for b in row if b.url]


async def test_an_adult_finds_retraining_for_their_group(world: World) -> None:
    chat = world.user()
    await register_adult(chat)
    await chat.send("/menu")
    assert chat.last.buttons[0][0] != TEXTS("btn-adults")  # the questionnaire comes first
    await chat.click(TEXTS("btn-adults"))
    assert TEXTS("adults", programmes=len(RETRAINING.programmes)) in chat.last.text
    assert WORK_PORTAL in links(world, chat)
    await chat.click(TEXTS("btn-retraining"))
    everyone = [label for label, _ in chat.last.buttons]
    # Only those for 50+ (or anyone).
    await chat.click(TEXTS("btn-retraining-group", group="age_50_plus", on="no"))
    assert TEXTS("retraining-list", count=_count("age_50_plus"), group="age_50_plus") in (
        chat.last.text
    )
    fifty = [label for label, _ in chat.last.buttons]
    assert len(fifty) < len(everyone)
    programme = next(
        p for p in RETRAINING.programmes if Group.AGE_50_PLUS in p.groups and p.profession
    )
    await chat.click(programme.title[:30])
    text = chat.last.text
    assert escape(programme.title) in text
    assert escape(programme.duration) in text
    assert TEXTS("retraining-group", group="age_50_plus") in text
    assert TEXTS("retraining-apply") in text  # how to apply, the portal included
    assert "(пример)" in text
    # To the profession it leads to, and from there back to the programme.
    await chat.click(TEXTS("btn-retraining-profession", title=_title(programme.profession)))
    assert _title(programme.profession) in chat.last.text
    await chat.click(TEXTS("btn-retraining-for", title=programme.title)[:30])
    assert escape(programme.title) in chat.last.text
    await chat.click(TEXTS("btn-back"))  # opened from the profession: the whole list
    assert [label for label, _ in chat.last.buttons] == everyone


def _count(group: str) -> int:
    return sum(1 for p in RETRAINING.programmes if group in p.groups or Group.ANYONE in p.groups)


def _title(code: str) -> str:
    return BANK.by_code[code].title


async def test_trades_and_the_employment_centre(world: World) -> None:
    chat = world.user()
    await chat.send("/retraining")  # public: a guest too
    await chat.click(TEXTS("btn-trades"))
    for trade in RETRAINING.trades:
        assert escape(trade.title) in chat.last.text
    assert "ЗЖДТ" in chat.last.text
    await chat.click(TEXTS("btn-back"))
    await chat.click(TEXTS("btn-employment-centre"))
    assert "Центр занятости населения города Зима" in chat.last.text


async def test_forged_retraining_buttons(world: World) -> None:
    chat = world.user()
    await chat.send("/retraining")
    await chat.press("rt:no-such:")
    assert chat.last_toast == TEXTS("button-outdated")
    await chat.press("rtl:martians")
    assert chat.last_toast == TEXTS("button-outdated")
    assert TEXTS("retraining-list", count=len(RETRAINING.programmes), group="all") in (
        chat.last.text
    )


async def test_an_adults_result_points_to_retraining(world: World) -> None:
    chat = world.user()
    await register_adult(chat)
    await chat.send("/quiz")
    await chat.click(TEXTS("btn-quiz-begin"))
    for _ in range(20):
        await chat.click("Б")
    text = chat.last.text
    assert result_head(world.clock.now) in text
    content = world.app.library.content
    quiz = world.app.quizzes["klimov"]
    shown = [
        s.id
        for s in quiz.scales
        if retraining_lines(TEXTS, content, s.id, RESULT_PROGRAMMES) in text
    ]
    assert shown
    assert "📚" in retraining_lines(TEXTS, content, shown[0], RESULT_PROGRAMMES)
    assert "🚌" not in text
    assert "📍" not in text
    assert TEXTS("btn-result-retraining") in [label for label, _ in chat.last.buttons]
    # The same under «Мои результаты».
    await chat.click(TEXTS("btn-results"))
    await chat.click(chat.last.buttons[0][0])
    assert "🚌" not in chat.last.text
    assert "📍" not in chat.last.text


async def test_a_students_result_keeps_school_programmes(world: World) -> None:
    chat = world.user()
    await register(chat)
    await chat.send("/quiz")
    await chat.click(TEXTS("btn-quiz-begin"))
    for _ in range(20):
        await chat.click("Б")
    assert "📍" in chat.last.text or "🚌" in chat.last.text
    assert TEXTS("btn-result-retraining") not in [label for label, _ in chat.last.buttons]
