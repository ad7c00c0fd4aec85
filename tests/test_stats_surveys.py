"""The monitoring's surveys: the conscious-choice self-assessment (offered to grades 9 and 11
only, in its two windows; finishing it is a step and a kept sheet) and the destination survey
(queued through the outbox from June to September, once per student and year; the later answer
counts, both are kept)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.conversation import Conversation
from db.models import OutboxMessage, Step, SurveyAnswer
from handlers.callbacks import (
    DestinationAnswer,
    DestinationStep,
    QuizControl,
    QuizStep,
)
from quizzes import load_all
from services import mydata
from tests.conftest import MENU_HEAD, TEXTS, World, register

SELF_CHECK = load_all()["self_check"]
START = TEXTS("btn-quiz-start", title=SELF_CHECK.title)


def labels(chat: Conversation) -> list[str]:
    return [label for label, _ in chat.with_buttons().buttons]


async def sheets(world: World) -> list[SurveyAnswer]:
    async with world.app.uow_factory() as uow:
        rows = await uow.session.scalars(select(SurveyAnswer).order_by(SurveyAnswer.id))
        return list(rows)


async def take_self_check(chat: Conversation, answers: str) -> None:
    await chat.send("/menu")
    await chat.click(START)
    await chat.click(TEXTS("btn-quiz-begin"))
    for letter in answers:
        await chat.click(letter)


async def test_the_self_check_is_offered_to_grades_9_and_11_only(world: World) -> None:
    ninth, eighth = world.user(5001), world.user(5002)
    await register(ninth)
    await register(eighth, grade=TEXTS("btn-grade", grade=8))
    await ninth.send("/menu")
    await eighth.send("/menu")
    assert START in labels(ninth)
    assert START not in labels(eighth)
    # A forged button for a grade it is not offered to: out of date, nothing begun.
    await eighth.press(QuizControl(action=QuizStep.BEGIN, quiz=SELF_CHECK.id).pack())
    assert eighth.last_toast == TEXTS("button-outdated")
    async with world.app.uow_factory() as uow:
        begun = await uow.attempts.get_open(eighth.user_id, SELF_CHECK.id)
    assert begun is None


async def test_a_sheet_per_window_the_later_counts_and_each_is_a_step(world: World) -> None:
    chat = world.user(5001)
    await register(chat)
    await take_self_check(chat, "АББ")  # autumn: not yet conscious
    await take_self_check(chat, "ААА")  # the same window again: this one counts
    world.clock.now = datetime(2027, 3, 10, 5, 0, tzinfo=UTC)  # spring
    await take_self_check(chat, "ААБ")
    world.clock.now = datetime(2027, 1, 15, 5, 0, tzinfo=UTC)  # between the windows
    await chat.send("/menu")
    assert START not in labels(chat)
    found = await sheets(world)
    assert [(s.window, s.answer, s.counts, s.latest) for s in found] == [
        (1, "unsure", False, False),
        (1, "conscious", True, True),
        (2, "unsure", False, True),
    ]
    assert {s.grade for s in found} == {9}
    async with world.app.uow_factory() as uow:
        steps = await uow.session.scalar(
            select(func.count()).select_from(Step).where(Step.kind == "quiz_finished")
        )
    assert steps == 3


async def test_the_question_is_shown_above_its_options(world: World) -> None:
    chat = world.user(5001)
    await register(chat)
    await chat.send("/menu")
    await chat.click(START)
    await chat.click(TEXTS("btn-quiz-begin"))
    assert SELF_CHECK.questions[0].text in chat.last.text
    assert SELF_CHECK.questions[0].options[0].text in chat.last.text


async def queue(world: World) -> int:
    return await world.app.scheduled_jobs(world.bot).queue_destination_surveys()


async def test_the_destination_survey_once_a_year_and_the_later_answer_counts(
    world: World,
) -> None:
    leaver, younger = world.user(5001), world.user(5002)
    await register(leaver)  # grade 9 in 2026/2027
    await register(younger, grade=TEXTS("btn-grade", grade=8))
    assert await queue(world) == 0  # November: not the survey's months
    world.clock.now = datetime(2027, 6, 15, 3, 0, tzinfo=UTC)  # 11:00 in Zima
    assert await queue(world) == 1
    assert await queue(world) == 0  # once
    sent = await world.app.scheduled_jobs(world.bot).send_outbox()
    assert sent == 1
    assert TEXTS("destination-ask") in leaver.last.text
    await leaver.click(TEXTS("btn-destination", answer="college"))
    await leaver.click("ЗЖДТ")
    await leaver.click("Машинист локомотива")
    assert "Машинист локомотива" in leaver.last.text
    [first] = await sheets(world)
    assert (first.answer, first.college, first.counts, first.grade) == ("college", "zhdt", True, 9)
    # In September the leaver changes their mind (their grade is already the next one).
    world.clock.now = datetime(2027, 9, 10, 3, 0, tzinfo=UTC)
    assert await queue(world) == 0  # still the same year's survey: not again
    await leaver.press(DestinationAnswer(year=2026, step=DestinationStep.WORK).pack())
    assert TEXTS("destination-thanks", answer=TEXTS("stats-destination", answer="work")) in (
        leaver.last.text
    )
    first, second = await sheets(world)
    assert (first.latest, second.latest, second.answer, second.counts) == (
        False,
        True,
        "work",
        False,
    )
    async with world.app.uow_factory() as uow:
        queued = await uow.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert queued == 1
    # The younger student was never asked, and a forged answer is refused.
    await younger.press(DestinationAnswer(year=2026, step=DestinationStep.WORK).pack())
    assert TEXTS("destination-not-for-you") in younger.last.text
    assert len(await sheets(world)) == 2


async def test_the_destination_survey_outside_its_months_and_stale_buttons(
    world: World,
) -> None:
    leaver = world.user(5001)
    await register(leaver)
    await leaver.press(DestinationAnswer(year=2026, step=DestinationStep.WORK).pack())
    assert TEXTS("destination-closed") in leaver.last.text
    world.clock.now = datetime(2027, 7, 1, 3, 0, tzinfo=UTC)
    await leaver.press(DestinationAnswer(year=2025, step=DestinationStep.WORK).pack())
    assert TEXTS("destination-closed") in leaver.last.text  # last year's button
    # A programme that is not in the catalogue, a college that is not a college.
    bad = DestinationAnswer(year=2026, step=DestinationStep.COLLEGE, college=1, programme=99)
    await leaver.press(bad.pack())
    assert leaver.last_toast == TEXTS("button-outdated")
    assert MENU_HEAD in leaver.last.text
    assert await sheets(world) == []


async def test_forgetting_a_user_keeps_their_sheets_as_anonymous_counts(world: World) -> None:
    chat = world.user(5001)
    await register(chat)
    await take_self_check(chat, "ААА")
    async with world.app.uow_factory() as uow:
        assert await mydata.forget(uow, chat.user_id, world.app.clock())
    [sheet] = await sheets(world)
    assert (sheet.user_id, sheet.latest, sheet.counts) == (None, True, True)
