"""Repositories and services on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select

import quizzes
from bot.factory import App
from db.calendar import Moment
from db.models import QuizAttempt, Step
from db.records import NewStep, UserRecord
from db.repositories.organisations import CatalogueEntry
from services import mydata, profile
from services import quiz as quiz_service
from services.quiz import Outcome, Tap
from tests.conftest import FakeClock

KLIMOV = quizzes.load_all()["klimov"]


CONSENT = "v1"


async def new_student(app: App, clock: FakeClock, user_id: int) -> UserRecord:
    async with app.uow_factory() as uow:
        await profile.give_consent(uow, user_id, CONSENT, clock())
        await profile.choose_role(uow, user_id, "student", clock())
        [school, *_] = await profile.organisations_for(uow, "student")
        await profile.choose_organisation(uow, user_id, school.id, clock())
        return await profile.choose_grade(
            uow, app.catalogue, user_id, 9, Moment(clock(), app.texts.tz)
        )


async def answer(
    app: App, clock: FakeClock, user_id: int, attempt_id: int, index: int, key: str
) -> Outcome:
    """One answer, in its own unit of work, as one tap of the bot would give it."""
    async with app.uow_factory() as uow:
        tap = Tap(user_id, attempt_id, index, key)
        state = await quiz_service.answer(
            uow, KLIMOV, tap, Moment(clock(), app.texts.tz), consent_version=CONSENT
        )
    return state.outcome


async def answer_all(app: App, clock: FakeClock, user_id: int, attempt_id: int, key: str) -> None:
    for index in range(KLIMOV.length):
        await answer(app, clock, user_id, attempt_id, index, key)


async def test_concurrent_taps_on_one_question_record_exactly_one_answer(
    app: App, clock: FakeClock
) -> None:
    user = await new_student(app, clock, 1)
    async with app.uow_factory() as uow:
        state = await quiz_service.start(uow, KLIMOV, user.id, clock())

    async def tap(key: str) -> Outcome:
        return await answer(app, clock, user.id, state.attempt.id, 0, key)

    outcomes = await asyncio.gather(*(tap("ab"[i % 2]) for i in range(12)))
    assert outcomes.count(Outcome.DONE) == 1
    async with app.uow_factory() as uow:
        attempt = await uow.attempts.get(state.attempt.id)
    assert attempt is not None
    assert attempt.position == 1
    assert attempt.answers[0] in {"a", "b"}
    assert attempt.answers[1] is None


async def test_concurrent_answers_of_many_users_lose_no_update(app: App, clock: FakeClock) -> None:
    users = [await new_student(app, clock, 100 + i) for i in range(8)]
    started = {}
    for user in users:
        async with app.uow_factory() as uow:
            started[user.id] = (await quiz_service.start(uow, KLIMOV, user.id, clock())).attempt.id

    async def take(user: UserRecord) -> None:
        await answer_all(app, clock, user.id, started[user.id], "a")

    await asyncio.gather(*(take(u) for u in users))
    async with app.uow_factory() as uow:
        finished = await uow.session.scalar(
            select(func.count())
            .select_from(QuizAttempt)
            .where(QuizAttempt.finished_at.is_not(None))
        )
        steps = await uow.steps.count("quiz_finished")
    assert finished == 8
    assert steps == 8


async def test_concurrent_starts_open_one_attempt(app: App, clock: FakeClock) -> None:
    user = await new_student(app, clock, 2)

    async def start() -> int:
        async with app.uow_factory() as uow:
            return (await quiz_service.start(uow, KLIMOV, user.id, clock())).attempt.id

    ids = await asyncio.gather(*(start() for _ in range(6)))
    assert len(set(ids)) == 1


async def test_a_step_is_logged_once_per_reference(app: App, clock: FakeClock) -> None:
    for _ in range(2):
        async with app.uow_factory() as uow, uow.write():
            await uow.steps.log(
                NewStep(
                    kind="quiz_finished",
                    ref="attempt:1",
                    user_id=None,
                    role="student",
                    organisation_id=None,
                    grade=9,
                    academic_year=2026,
                    created_at=clock(),
                )
            )
    async with app.uow_factory() as uow:
        assert await uow.steps.count("quiz_finished") == 1


async def test_times_come_back_as_aware_utc(app: App, clock: FakeClock) -> None:
    user = await new_student(app, clock, 3)
    assert user.consent_at == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    assert user.consent_at.tzinfo is not None


async def test_forgetting_a_user_keeps_anonymous_steps(app: App, clock: FakeClock) -> None:
    user = await new_student(app, clock, 4)
    async with app.uow_factory() as uow:
        state = await quiz_service.start(uow, KLIMOV, user.id, clock())
    await answer_all(app, clock, user.id, state.attempt.id, "b")
    async with app.uow_factory() as uow:
        assert await mydata.forget(uow, user.id, clock())
    async with app.uow_factory() as uow:
        assert await uow.users.get(user.id) is None
        assert await uow.attempts.get(state.attempt.id) is None
        [step] = list(await uow.session.scalars(select(Step)))
    assert step.user_id is None
    assert step.grade == 9
    assert step.organisation_id is not None


async def test_catalogue_sync_hides_removed_organisations_and_keeps_order(
    app: App, clock: FakeClock
) -> None:
    def entry(code: str) -> CatalogueEntry:
        return CatalogueEntry(code, "school", f"Школа {code}", code, True, True)

    async with app.uow_factory() as uow, uow.write():
        await uow.organisations.sync([entry("b"), entry("a")])
    async with app.uow_factory() as uow:
        assert [o.code for o in await uow.organisations.list_active("school")] == ["b", "a"]
    async with app.uow_factory() as uow, uow.write():
        await uow.organisations.sync([entry("a")])
    async with app.uow_factory() as uow:
        assert [o.code for o in await uow.organisations.list_active("school")] == ["a"]


async def test_ids_of_erased_attempts_are_never_reused(app: App, clock: FakeClock) -> None:
    """A monitoring step refers to its attempt: a new attempt must not take a deleted one's id."""
    first = await new_student(app, clock, 5)
    async with app.uow_factory() as uow:
        gone = (await quiz_service.start(uow, KLIMOV, first.id, clock())).attempt.id
    await answer_all(app, clock, first.id, gone, "a")
    async with app.uow_factory() as uow:
        await mydata.forget(uow, first.id, clock())
    second = await new_student(app, clock, 6)
    async with app.uow_factory() as uow:
        new = (await quiz_service.start(uow, KLIMOV, second.id, clock())).attempt.id
    assert new != gone
    await answer_all(app, clock, second.id, new, "b")
    async with app.uow_factory() as uow:
        assert await uow.steps.count("quiz_finished") == 2
