"""Where to study and retrain: public, role-aware, and safe against forged buttons."""

from __future__ import annotations

from bot.conversation import Conversation
from tests.conftest import TEXTS, World, register, stored_user


async def test_a_guest_can_see_where_to_study_without_giving_consent(
    world: World, chat: Conversation
) -> None:
    await chat.send("/start")
    await chat.click(TEXTS("btn-welcome-next"))
    await chat.click(TEXTS("btn-decline"))
    await chat.send("/menu")
    await chat.click("🏫 Колледжи")
    assert "Где учиться и переобучиться" in chat.last.text
    labels = [label for label, _ in chat.last.buttons]
    assert labels[:2] == ["📍 ЗЖДТ", "📍 Центр занятости"]  # in town first
    assert any(label.startswith("🚌 ") for label in labels)
    await chat.click("📍 ЗЖДТ")
    page = chat.last.text
    assert "Зиминский железнодорожный техникум" in page
    assert "Уровень: специалист среднего звена" in page
    assert "Уровень: профессиональное обучение" in page
    assert "Проводник на железнодорожном транспорте" in page
    assert "Человек — техника" in page  # the interest type links a result to the place
    await chat.click(TEXTS("btn-back"))
    assert "Где учиться и переобучиться" in chat.last.text
    assert await stored_user(world, chat.user_id) is None


async def test_an_adult_sees_retraining_and_the_employment_centre_first(
    chat: Conversation,
) -> None:
    await register(chat, role="Ищу работу или переобучение", organisation=None, grade=None)
    labels = [label for label, _ in chat.last.buttons]
    assert labels.index(TEXTS("btn-places")) < labels.index(TEXTS("btn-types"))
    await chat.click("🏫 Колледжи")
    assert "Переобучение и поиск работы начинаются в Центре занятости" in chat.last.text
    assert chat.last.buttons[0][0] == "📍 Центр занятости"
    await chat.click("📍 Центр занятости")
    assert "Центр занятости населения города Зима" in chat.last.text
    assert "«Работа России»" in chat.last.text


async def test_a_student_sees_colleges_first(chat: Conversation) -> None:
    await register(chat)
    labels = [label for label, _ in chat.last.buttons]
    assert labels.index(TEXTS("btn-types")) < labels.index(TEXTS("btn-places"))
    await chat.click("🏫 Колледжи")
    assert "Куда можно поступить после 9 и 11 класса" in chat.last.text
    assert chat.last.buttons[0][0] == "📍 ЗЖДТ"


async def test_a_forged_or_removed_place_shows_the_current_list(chat: Conversation) -> None:
    await register(chat)
    await chat.click("🏫 Колледжи")
    for data in ("place:school-1", "place:closed-college", "place:"):
        await chat.press(data)
        assert chat.last_toast == TEXTS("button-outdated")
        assert "Где учиться и переобучиться" in chat.last.text
