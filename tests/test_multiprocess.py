"""Two real `python -m bot` processes in webhook mode on one PostgreSQL database, behind a
"reverse proxy" that is this test: one user's updates alternate between them, a broadcast is
sent by both, many sign-ups for a few seats reach both at once. One process is killed with
SIGKILL while it is handling that user's updates and sending the broadcast; the updates it
never answered are delivered again to the other one, as Telegram does, and the killed one is
started again. Nothing is lost or repeated: every answer recorded once, the result right, the
seats never overbooked, every message of the broadcast delivered at most once and all but the
few in flight at the kill exactly once, every update handled to its end exactly once.

The processes and the fake Bot API (tests/fake_bot_api.py) are those of tests/test_webhook.py.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

import aiohttp
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.factory import App, create_app
from bot.sender import ROUNDS_IN_DOUBT
from db.base import utcnow
from db.calendar import Moment
from db.models import (
    Broadcast,
    BroadcastStatus,
    EventKind,
    OutboxMessage,
    QuizAttempt,
    Registration,
    Step,
    UpdateClaim,
)
from db.records import Audience, EventDraft
from db.repositories.outbox import INTERRUPTED
from handlers.callbacks import EventAction, EventStep
from services import broadcasts, profile
from services import events as event_service
from services.broadcasts import Draft
from services.coordinators import Staff
from tests.conftest import TEXTS, _admin, question_head, settings_for_tests
from tests.fake_bot_api import BOT_USER, DATE, OK, Behaviour, FakeBotAPI, held
from tests.test_webhook import (  # noqa: F401 - the fixtures
    ALL_TECHNIC,
    SCORES,
    BotProcess,
    StartBot,
    WebhookUser,
    api,
    http,
    register_and_open_quiz,
    start_bot,
)

ADMIN = 90_001
USER = 7601
SIGNERS = range(7800, 7820)  # grade 9, with USER: 21 sign-ups for 5 seats
READERS = range(7700, 7730)  # grade 10: the broadcast's audience
SEATS = 5
#: Generous: the machine may be loaded; nothing here waits for a fixed time.
PATIENCE = 60.0
_query_ids = itertools.count(900_000)
T = TypeVar("T")

FAST = {
    "UPDATE_LEASE_SECONDS": "2",
    "TELEGRAM_TIMEOUT_SECONDS": "2",
    "OUTBOX_LEASE_SECONDS": "3",
    "OUTBOX_POLL_SECONDS": "0.2",
    "SEND_RATE_PER_SECOND": "15",
    "ADMIN_IDS": str(ADMIN),
}


async def until(check: Callable[[], Awaitable[T]], what: str) -> T:
    """Poll `check` until it returns something true (or fail after PATIENCE seconds)."""
    deadline = time.monotonic() + PATIENCE
    while True:
        found = await check()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"not within {PATIENCE} s: {what}")
        await asyncio.sleep(0.05)


async def seed(app: App) -> int:
    """The students (consent, role, school, grade recorded as the bot records them) and an
    event with a few seats (its id)."""
    now = utcnow()
    moment = Moment(now, app.texts.tz)
    version = TEXTS("consent-version")
    async with app.uow_factory() as uow:
        school = (await uow.organisations.list_active("school"))[0]
        [college, *_] = await uow.organisations.list_active("college")
        for user_id in [*SIGNERS, *READERS]:
            await profile.give_consent(uow, user_id, version, now)
            await profile.choose_role(uow, user_id, "student", now)
            await profile.choose_organisation(uow, user_id, school.id, now)
            grade = 10 if user_id in READERS else 9
            await profile.choose_grade(uow, app.catalogue, user_id, grade, moment)
        start = now + timedelta(days=7)
        staff = Staff(ADMIN, frozenset({ADMIN}))
        draft = EventDraft(
            kind=EventKind.TRIAL,
            title="Проба: помощник машиниста",
            organisation_id=college.id,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            place="ул. Коммунистическая, 2",
            capacity=SEATS,
            roles=("student",),
            grade_min=8,
            grade_max=11,
            interest_types=("technic",),
            profession="Помощник машиниста",
        )
        event = await event_service.create_event(uow, staff, draft, now)
    return event.id


async def confirm_broadcast(app: App) -> int:
    now = utcnow()
    text = "Ярмарка профессий в субботу в 12:00, приходите!"
    draft = Draft(text=text, length=len(text), audience=Audience(roles=("student",), grades=(10,)))
    async with app.uow_factory() as uow:
        confirmed = await broadcasts.confirm(
            uow, Staff(ADMIN, frozenset({ADMIN})), draft, Moment(now, app.texts.tz)
        )
    assert confirmed.broadcast.recipients == len(READERS)
    return confirmed.broadcast.id


def press(user: WebhookUser, data: str) -> dict[str, Any]:
    """A tap on a button with `data` (on a message of the bot's), as one update."""
    query = {
        "id": str(next(_query_ids)),
        "from": user.user,
        "chat_instance": "webhook",
        "data": data,
        "message": {
            "message_id": 1,
            "date": DATE,
            "chat": user.chat,
            "from": BOT_USER,
            "text": "Проба: помощник машиниста",
        },
    }
    return {"update_id": next(_query_ids), "callback_query": query}


async def post_until_answered(user: WebhookUser, update: dict[str, Any], targets: list[str]) -> int:
    """Deliver an update as Telegram does: again (to the next process) while it gets no
    answer."""
    for target in itertools.cycle(targets):
        try:
            return await user.post(update, target)
        except aiohttp.ClientError:
            continue
    raise AssertionError("unreachable")


async def test_two_webhook_processes_one_killed_midway_lose_nothing_and_repeat_nothing(
    start_bot: StartBot,  # noqa: F811
    api: FakeBotAPI,  # noqa: F811
    http: aiohttp.ClientSession,  # noqa: F811
    database_url: str,
    postgres_url: str | None,
) -> None:
    if postgres_url is None or not database_url.startswith("postgresql"):
        pytest.skip("several processes are for PostgreSQL")
    name = f"profnavigator_multi_{os.getpid()}"
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    await _admin(postgres_url, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
    app = await create_app(settings_for_tests(url, admin_ids=frozenset({ADMIN})))
    try:
        event_id = await seed(app)
        first, second = await asyncio.gather(
            start_bot("first", url=url, **FAST), start_bot("second", url=url, **FAST)
        )
        both = [first.webhook, second.webhook]

        # The questionnaire's first half, the user's updates alternating between the two.
        user = WebhookUser(http, api, both, USER)
        await register_and_open_quiz(user)
        for letter in ALL_TECHNIC[:10]:
            assert await user.click(letter) == 200

        # 21 sign-ups for 5 seats at the same moment, each to one process or the other.
        signers = [WebhookUser(http, api, both, u) for u in SIGNERS] + [user]
        sign_up = EventAction(id=event_id, action=EventStep.SIGN_UP).pack()
        statuses = await asyncio.gather(
            *(s.post(press(s, sign_up), both[n % 2]) for n, s in enumerate(signers))
        )
        assert statuses == [200] * len(signers)

        # A broadcast both processes send; the user's next message is held by "Telegram"
        # (the answer never comes) while the first process handles it; then it is killed.
        broadcast_id = await confirm_broadcast(app)
        await until(
            lambda: _true(len(api.delivered_chats(set(READERS))) >= 5),
            "the broadcast under way",
        )
        sent_before = len(api.sends(USER))
        api.script(USER, Behaviour("held once", (OK,) * sent_before + (held(PATIENCE),)))
        menu = user.message("/menu")
        in_hand = asyncio.create_task(user.post(menu, first.webhook))
        await until(lambda: _true(len(api.sends(USER)) > sent_before), "/menu in hand")
        first.process.send_signal(signal.SIGKILL)
        await first.process.wait()
        # It is started again at once (systemd's Restart=always); it takes seconds to be up.
        restarting: asyncio.Future[BotProcess] = asyncio.ensure_future(
            start_bot("first-again", url=url, **FAST)
        )
        with pytest.raises(aiohttp.ClientError):
            await in_hand
        assert len(api.delivered_chats(set(READERS))) < len(READERS), "killed too late"

        # Telegram delivers the unanswered update again, to the other process: it waits for
        # the dead process's claim to lapse, then handles it; the user gets one answer.
        assert await post_until_answered(user, menu, [second.webhook]) == 200
        after_menu = api.sends(USER)[sent_before:]
        assert [r.delivered for r in after_menu] == [False, True]
        assert TEXTS("menu", role="student").split("\n")[0] in after_menu[1].form["text"]

        # The second process carries on alone until the first is up again.
        alone = WebhookUser(http, api, [second.webhook], USER)
        title = "Опросник Климова (ДДО)"
        assert await alone.click(TEXTS("btn-quiz-continue", title=title, done=10, total=20)) == 200
        resumed = 1
        if question_head(11) not in alone.last().text:  # the questionnaire's own screen first
            assert await alone.click(TEXTS("btn-quiz-continue-short")) == 200
            resumed += 1
        assert question_head(11) in alone.last().text
        for letter in ALL_TECHNIC[10:15]:
            assert await alone.click(letter) == 200
        again = await restarting
        together = WebhookUser(http, api, [again.webhook, second.webhook], USER)
        for letter in ALL_TECHNIC[15:]:
            assert await together.click(letter) == 200

        async def broadcast_done() -> bool:
            async with app.uow_factory() as uow:
                found = await uow.session.get(Broadcast, broadcast_id)
                return found is not None and found.status == BroadcastStatus.DONE

        await until(broadcast_done, "the broadcast done")
        await asyncio.gather(second.stop(), again.stop())

        async with app.uow_factory() as uow:
            attempts = list(
                await uow.session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == USER))
            )
            steps = await uow.session.scalar(
                select(func.count()).where(Step.user_id == USER, Step.kind == "quiz_finished")
            )
            registrations = Counter(
                await uow.session.scalars(
                    select(Registration.status).where(Registration.event_id == event_id)
                )
            )
            event = await uow.events.get(event_id)
            outcomes = {
                int(u): (o, e)
                for u, o, e in await uow.session.execute(
                    select(OutboxMessage.user_id, OutboxMessage.outcome, OutboxMessage.error).where(
                        OutboxMessage.broadcast_id == broadcast_id
                    )
                )
            }
            unfinished = await uow.session.scalar(
                select(func.count()).where(UpdateClaim.done_at.is_(None))
            )
            handled = await uow.session.scalar(select(func.count()).select_from(UpdateClaim))
    finally:
        await app.close()
        await _admin(postgres_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    # The questionnaire: every answer once, the right result, one monitoring step.
    [attempt] = attempts
    assert attempt.finished_at is not None
    assert attempt.scores == SCORES
    assert steps == 1
    # The sign-ups: never over the seats, nobody twice.
    assert registrations == {"confirmed": SEATS, "waitlisted": len(signers) - SEATS}
    assert event is not None
    assert event.seats_taken == SEATS
    # The broadcast: nobody got it twice; all but the few in flight at the kill got it once.
    assert sorted(outcomes) == list(READERS)
    delivered = {chat: api.deliveries(chat) for chat in READERS}
    assert max(delivered.values()) == 1
    in_doubt = [u for u, (outcome, error) in outcomes.items() if outcome != "sent"]
    assert all(outcomes[u] == ("failed", INTERRUPTED) for u in in_doubt), outcomes
    assert len(in_doubt) <= ROUNDS_IN_DOUBT  # a round is one message at 15 a second
    assert all(delivered[u] == 1 for u in READERS if u not in in_doubt)
    # Every update was handled to its end, once (the claims, one per update id).
    assert unfinished == 0
    # /start and 7 taps to the first question, 20 answers, the sign-ups, /menu, the taps back
    # into the questionnaire.
    assert handled == 8 + len(ALL_TECHNIC) + len(signers) + 1 + resumed


async def _true(value: bool) -> bool:
    return value
