"""Where to study and retrain: public, role-aware, and safe against forged buttons."""

from __future__ import annotations

from bot.conversation import Conversation
from tests.conftest import TEXTS, World, register, stored_user

COLLEGE = TEXTS("btn-place", name="ЗЖДТ", in_town="yes")  # the catalogue's short names
EMPLOYMENT_CENTRE = TEXTS("btn-place", name="Центр занятости", in_town="yes")


async def test_a_guest_can_see_where_to_study_without_giving_consent(
    world: World, chat: Conversation
) -> None:
    await chat.send("/start")
    await chat.click(TEXTS("btn-welcome-next"))
    await chat.click(TEXTS("btn-decline"))
    await chat.send("/menu")
    await chat.click(TEXTS("btn-places"))
    assert TEXTS("places", role="none") in chat.last.text
    labels = [label for label, _ in chat.last.buttons]
    assert labels[:2] == [COLLEGE, EMPLOYMENT_CENTRE]  # in town first
    elsewhere = [
        TEXTS("btn-place", name=place.short_name, in_town="no")
        for place in world.app.catalogue.places()
        if not place.in_town
    ]
    assert elsewhere
    assert set(elsewhere) <= set(labels)
    await chat.click(COLLEGE)
    page = chat.last.text
    assert "Зиминский железнодорожный техникум" in page
    assert TEXTS("place-level", level="специалист среднего звена") in page
    assert TEXTS("place-level", level="профессиональное обучение") in page
    assert "Проводник на железнодорожном транспорте" in page
    assert "Человек — техника" in page  # the interest type links a result to the place
    await chat.click(TEXTS("btn-back"))
    assert TEXTS("places", role="none") in chat.last.text
    assert await stored_user(world, chat.user_id) is None


async def test_an_adult_sees_retraining_and_the_employment_centre_first(
    chat: Conversation,
) -> None:
    await register(chat, role=TEXTS("role-adult"), organisation=None, grade=None)
    labels = [label for label, _ in chat.last.buttons]
    assert labels.index(TEXTS("btn-places")) < labels.index(TEXTS("btn-types"))
    await chat.click(TEXTS("btn-places"))
    assert TEXTS("places", role="adult") in chat.last.text
    assert chat.last.buttons[0][0] == EMPLOYMENT_CENTRE
    await chat.click(EMPLOYMENT_CENTRE)
    assert "Центр занятости населения города Зима" in chat.last.text
    assert TEXTS("place-employment-centre") in chat.last.text


async def test_a_student_sees_colleges_first(chat: Conversation) -> None:
    await register(chat)
    labels = [label for label, _ in chat.last.buttons]
    assert labels.index(TEXTS("btn-types")) < labels.index(TEXTS("btn-places"))
    await chat.click(TEXTS("btn-places"))
    assert TEXTS("places", role="student") in chat.last.text
    assert chat.last.buttons[0][0] == COLLEGE


async def test_a_forged_or_removed_place_shows_the_current_list(chat: Conversation) -> None:
    await register(chat)
    await chat.click(TEXTS("btn-places"))
    for data in ("place:school-1", "place:closed-college", "place:"):
        await chat.press(data)
        assert chat.last_toast == TEXTS("button-outdated")
        assert TEXTS("places", role="student") in chat.last.text
