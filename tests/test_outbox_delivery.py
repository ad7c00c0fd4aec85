"""The outbox end to end: `python -m bot worker` as a real process sends a broadcast to 300
people through a fake Bot API over HTTP (tests/fake_bot_api.py) that answers each chat as
scripted: ok, 429 with retry_after, 403 blocked, 400 chat not found, Telegram's JSON 500 a few
times or forever, a proxy's HTML 502 page, an answer held past the client's timeout.

- killed with SIGKILL midway, a second worker finishes the job: every recipient ends exactly
  once (sent, blocked or failed), nobody gets the message twice, what was in flight at the
  kill (a round at most) ends as failed, "interrupted", and is not sent again;
- stopped with SIGTERM midway: the round in hand is recorded, nothing is interrupted;
- two workers at once on PostgreSQL share the work and send nobody anything twice.

And each behaviour ends as the retry policy says (services/outbox.py): 403 blocked (the user
marked), 400 failed at once with Telegram's reason, 5xx forever failed after OUTBOX_ATTEMPTS
tries, everything passing (429, a few 5xx, a gateway's page, a timeout) sent exactly once.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.factory import create_app
from bot.sender import ROUNDS_IN_DOUBT, round_size
from db.base import utcnow
from db.calendar import Moment
from db.engine import create_engine
from db.models import Broadcast, BroadcastStatus, OutboxMessage, User
from db.repositories.outbox import INTERRUPTED, Outcome
from services import broadcasts, outbox
from services.broadcasts import Draft
from services.coordinators import Staff
from tests.conftest import World, send_outbox, settings_for_tests
from tests.fake_bot_api import (
    TOKEN,
    Behaviour,
    FakeBotAPI,
    always_ok,
    blocked,
    chat_not_found,
    flood,
    gateway_pages,
    server_errors,
    timeouts,
)

ROOT = Path(__file__).resolve().parent.parent
RECIPIENTS = 300
FIRST_CHAT = 70_001
ADMIN = 9_000_001
#: The workers' settings.
RATE = 150
ATTEMPTS = 3
TIMEOUT = 1
LEASE = 3
#: What a kill may leave in doubt: a few rounds of the sender (bot/sender.py).
IN_DOUBT = ROUNDS_IN_DOUBT * round_size(RATE)
#: Bounds of the waits (the whole drain takes 5 to 10 s).
KILL_POINT_LIMIT = 60.0
DRAIN_LIMIT = 60.0
SENT_LOG = re.compile(r"outbox: (\d+) sent")


def behaviour_of(index: int) -> Behaviour:  # noqa: PLR0911 - one line per behaviour
    """The chaos: what Telegram does to the `index`-th recipient (0 <= index < 300)."""
    if index % 10 == 1:
        return blocked()
    if index % 10 == 2:
        return chat_not_found()
    if index % 20 == 3:
        return server_errors(times=1 + index // 20 % 2)  # 1 or 2 (< ATTEMPTS): sent in the end
    if index % 20 == 13:
        return gateway_pages(times=1 + index // 20 % 2)
    if index % 20 == 5:
        return server_errors(times=None)
    # Few of these: each 429 holds every send for its retry_after (a second, the least Telegram
    # asks), and a round waits for its slowest request.
    if index % 150 == 7:
        return flood(times=1 + index // 150 % 2)
    if index % 150 == 59:
        return timeouts(hold=TIMEOUT + 0.5)
    return always_ok()


CHATS = {FIRST_CHAT + i: behaviour_of(i) for i in range(RECIPIENTS)}


def kind(behaviour: Behaviour) -> str:
    """ "5xx×2" -> "5xx": the behaviour without its count."""
    return behaviour.name.split("×")[0]


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(patience=TIMEOUT) as fake:
        for chat, behaviour in CHATS.items():
            fake.script(chat, behaviour)
        yield fake


@pytest.fixture
async def broadcast(database_url: str) -> int:
    """Everyone (consent and a role, recorded as the bot records them) and a broadcast to them
    all confirmed by an administrator: one outbox row per recipient. Its id."""
    app = await create_app(settings_for_tests(database_url, quiz_reminder_hours=0))
    try:
        now = utcnow()
        version = app.texts("consent-version")
        async with app.uow_factory() as uow:
            async with uow.write():
                for chat in CHATS:
                    await uow.users.give_consent(chat, version, now)
                    await uow.users.set_role(chat, "student" if chat % 2 else "parent", now)
            text = "Ярмарка профессий в субботу в 12:00, приходите!"
            confirmed = await broadcasts.confirm(
                uow,
                Staff(ADMIN, frozenset({ADMIN})),
                Draft(text=text, length=len(text)),
                Moment(now, app.texts.tz),
            )
    finally:
        await app.close()
    assert confirmed.broadcast.recipients == RECIPIENTS
    return confirmed.broadcast.id


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The test's own connection to the database the workers use."""
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@dataclass
class Worker:
    """A `python -m bot worker` process; its stdout and stderr go to `log`."""

    process: asyncio.subprocess.Process
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.output().splitlines()[-lines:])

    def sent(self) -> int:
        """The messages it says it sent ("outbox: N sent", logged at INFO)."""
        return sum(int(n) for n in SENT_LOG.findall(self.output()))

    async def stop(self, within: float = 20.0) -> None:
        """SIGTERM; it must exit, with 0."""
        self.process.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.process.wait(), within)
        except TimeoutError:
            pytest.fail(f"the worker did not exit {within} s after SIGTERM:\n{self.tail()}")
        assert code == 0, f"the worker exited {code} after SIGTERM:\n{self.tail()}"

    async def kill(self) -> None:
        self.process.kill()
        assert await self.process.wait() == -signal.SIGKILL


StartWorker = Callable[[str], Awaitable[Worker]]


@pytest.fixture
def workers(database_url: str, api: FakeBotAPI, tmp_path: Path) -> Iterator[StartWorker]:
    """Starts workers against the fake API and the test's database; kills what is left."""
    started: list[Worker] = []
    settings = {name.upper() for name in Settings.model_fields}
    inherited = {k: v for k, v in os.environ.items() if k.upper() not in settings}
    env = inherited | {
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.url,
        "DATABASE_URL": database_url,
        "ALLOW_PAID_BROADCAST": "true",
        "SEND_RATE_PER_SECOND": str(RATE),
        "OUTBOX_POLL_SECONDS": "0.2",
        "OUTBOX_RETRY_SECONDS": "0.2",
        "OUTBOX_ATTEMPTS": str(ATTEMPTS),
        "TELEGRAM_TIMEOUT_SECONDS": str(TIMEOUT),
        "OUTBOX_LEASE_SECONDS": str(LEASE),
        "QUIZ_REMINDER_HOURS": "0",
        "LOG_LEVEL": "INFO",
    }

    async def start(name: str) -> Worker:
        log = tmp_path / f"{name}.log"
        with log.open("wb") as out:  # the child has its own handle
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "worker",
                cwd=tmp_path,  # no .env there
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        worker = Worker(process, log)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.returncode is None:
            worker.process.kill()


@dataclass(frozen=True)
class Row:
    """A recipient's delivery row, with whether the user is marked as having blocked the bot."""

    chat: int
    outcome: str | None
    error: str | None
    attempts: int
    claimed: bool
    user_blocked: bool

    @property
    def interrupted(self) -> bool:
        return self.outcome == Outcome.FAILED and self.error == INTERRUPTED


async def delivery_rows(db: AsyncEngine, broadcast_id: int) -> dict[int, Row]:
    query = (
        select(
            OutboxMessage.user_id,
            OutboxMessage.outcome,
            OutboxMessage.error,
            OutboxMessage.attempts,
            OutboxMessage.claimed_at.is_not(None),
            User.blocked_at.is_not(None),
        )
        .join(User, User.id == OutboxMessage.user_id)
        .where(OutboxMessage.broadcast_id == broadcast_id)
    )
    async with db.connect() as connection:
        rows = [Row(*row) for row in await connection.execute(query)]
    found = {row.chat: row for row in rows}
    assert len(found) == len(rows), "a recipient has two delivery rows"
    return found


async def broadcast_status(db: AsyncEngine, broadcast_id: int) -> str:
    async with db.connect() as connection:
        status = await connection.scalar(
            select(Broadcast.status).where(Broadcast.id == broadcast_id)
        )
    return str(status)


async def until(
    condition: Callable[[], Awaitable[bool]], seconds: float, what: str, *watched: Worker
) -> None:
    """Wait until `condition()`; fail saying `what` did not happen (with the end of each
    worker's log) after `seconds`, or as soon as a watched worker has exited."""
    deadline = time.monotonic() + seconds
    while not await condition():
        for worker in watched:
            if worker.process.returncode is not None:
                code = worker.process.returncode
                pytest.fail(f"{what}: the worker exited ({code}):\n{worker.tail()}")
        if time.monotonic() > deadline:
            logs = "\n---\n".join(worker.tail() for worker in watched)
            pytest.fail(f"{what}: not so after {seconds} s\n{logs}")
        await asyncio.sleep(0.05)


async def share_delivered(api: FakeBotAPI, share: float, *watched: Worker) -> None:
    async def reached() -> bool:
        return len(api.delivered_chats(set(CHATS))) >= share * RECIPIENTS

    await until(reached, KILL_POINT_LIMIT, f"{share:.0%} delivered", *watched)


async def drain_to_the_end(db: AsyncEngine, broadcast_id: int, *running: Worker) -> None:
    """Wait until every delivery row has ended and the broadcast is done; then stop the
    workers with SIGTERM (each must exit 0)."""
    left: list[Row] = []
    status = ""

    async def over() -> bool:
        nonlocal left, status
        rows = await delivery_rows(db, broadcast_id)
        left = [row for row in rows.values() if row.outcome is None]
        status = await broadcast_status(db, broadcast_id)
        return not left and status == BroadcastStatus.DONE

    what = "every message ended and the broadcast done"
    try:
        await until(over, DRAIN_LIMIT, what, *running)
    except pytest.fail.Exception as failed:
        pytest.fail(f"{failed.msg}\nbroadcast {status}, {len(left)} not ended: {left[:5]}")
    for worker in running:
        await worker.stop()


def check_deliveries(
    api: FakeBotAPI, rows: dict[int, Row], *, resumed_at: float | None = None
) -> Counter[str]:
    """What the worker(s) recorded agrees, chat by chat, with what the fake Telegram saw, and
    each behaviour ended as the retry policy says. `resumed_at`: the fake's time when the
    second worker was started (nothing is sent to an interrupted chat from then on). Returns
    how many rows ended how ("interrupted" apart from the other failures)."""
    assert set(rows) == set(CHATS), "not every recipient has a delivery row"
    outcomes: Counter[str] = Counter()
    for chat, row in rows.items():
        behaviour = CHATS[chat]
        sends = api.sends(chat)
        floods = sum(send.answer.status == 429 for send in sends)
        about = f"chat {chat} ({behaviour.name}): {row}, {len(sends)} requests"
        assert row.outcome in (Outcome.SENT, Outcome.BLOCKED, Outcome.FAILED), about
        outcomes["interrupted" if row.interrupted else str(row.outcome)] += 1
        assert api.deliveries(chat) <= 1, f"delivered twice: {about}"
        if row.outcome == Outcome.SENT:
            assert api.deliveries(chat) == 1, f"recorded as sent, never delivered: {about}"
        elif api.deliveries(chat):
            assert row.interrupted, f"delivered, recorded as {row.outcome}: {about}"
        if row.interrupted:  # in flight when its worker was killed: whatever its behaviour
            assert row.claimed, about
            assert len(sends) - floods <= row.attempts, about
            late = [send for send in sends if resumed_at is not None and send.at >= resumed_at]
            assert not late, f"an interrupted message was sent again: {about}"
            continue
        match kind(behaviour):
            case "blocked":
                assert (row.outcome, len(sends)) == (Outcome.BLOCKED, 1), about
                assert row.user_blocked, f"the user is not marked as blocked: {about}"
            case "chat not found":
                assert (row.outcome, len(sends), row.attempts) == (Outcome.FAILED, 1, 1), about
                assert row.error == "Bad Request: chat not found", about
                assert not row.user_blocked, about
            case "5xx forever":
                assert (row.outcome, len(sends)) == (Outcome.FAILED, ATTEMPTS), about
                assert row.attempts == ATTEMPTS, about
                assert row.error is not None, about
                assert "Internal Server Error" in row.error, about
            case "ok" | "429" | "5xx" | "502 page" | "timeout":
                assert row.outcome == Outcome.SENT, about
                assert [send.answer for send in sends] == [*behaviour.first, behaviour.then], about
                assert row.attempts == len(sends) - floods, f"a 429 counted as a try: {about}"
            case other:  # pragma: no cover - a behaviour this test does not know
                pytest.fail(f"no expectation for {other}")
    in_doubt = outcomes["interrupted"]
    assert in_doubt <= IN_DOUBT, f"more interrupted than a kill leaves in doubt: {outcomes}"
    return outcomes


def check_coordinator_told(api: FakeBotAPI) -> None:
    """The administrator who sent the broadcast got its progress message (edited while it
    sent) and, once it was over, one summary."""
    assert len(api.sends(ADMIN)) == 2, [send.form.get("text") for send in api.sends(ADMIN)]
    assert all(send.delivered for send in api.sends(ADMIN))


async def test_a_worker_killed_midway_leaves_nothing_sent_twice_or_lost(
    api: FakeBotAPI, broadcast: int, db: AsyncEngine, workers: StartWorker
) -> None:
    first = await workers("first")
    await share_delivered(api, 0.4, first)
    await first.kill()
    in_flight = {
        c for c, r in (await delivery_rows(db, broadcast)).items() if r.claimed and not r.outcome
    }
    assert len(in_flight) <= IN_DOUBT
    await asyncio.sleep(0.2)  # the fake answers what reached it before the kill
    resumed_at = asyncio.get_running_loop().time()

    second = await workers("second")
    await drain_to_the_end(db, broadcast, second)

    rows = await delivery_rows(db, broadcast)
    outcomes = check_deliveries(api, rows, resumed_at=resumed_at)
    assert {chat for chat, row in rows.items() if row.interrupted} <= in_flight
    assert outcomes[Outcome.BLOCKED] > 0
    assert outcomes[Outcome.FAILED] > 0
    sent_by_second = [
        chat
        for chat, row in rows.items()
        if row.outcome == Outcome.SENT
        and any(send.delivered and send.at >= resumed_at for send in api.sends(chat))
    ]
    assert second.sent() == len(sent_by_second)
    assert 0 < len(sent_by_second) < outcomes[Outcome.SENT]
    check_coordinator_told(api)


async def test_a_worker_stopped_midway_records_the_round_in_hand(
    api: FakeBotAPI, broadcast: int, db: AsyncEngine, workers: StartWorker
) -> None:
    first = await workers("first")
    await share_delivered(api, 0.4, first)
    await first.stop()
    rows = await delivery_rows(db, broadcast)
    unfinished = [row for row in rows.values() if row.claimed and row.outcome is None]
    assert not unfinished, f"claims left unfinished by SIGTERM: {unfinished}"
    assert any(row.outcome is None for row in rows.values()), "it had finished before SIGTERM"
    resumed_at = asyncio.get_running_loop().time()

    second = await workers("second")
    await drain_to_the_end(db, broadcast, second)

    rows = await delivery_rows(db, broadcast)
    outcomes = check_deliveries(api, rows, resumed_at=resumed_at)
    assert outcomes["interrupted"] == 0
    assert first.sent() > 0
    assert second.sent() > 0
    assert first.sent() + second.sent() == outcomes[Outcome.SENT]
    check_coordinator_told(api)


async def test_two_workers_on_postgresql_share_the_outbox(
    database_url: str, api: FakeBotAPI, broadcast: int, db: AsyncEngine, workers: StartWorker
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("workers share an outbox on PostgreSQL (SQLite has one writer at a time)")
    one, two = await workers("one"), await workers("two")
    await drain_to_the_end(db, broadcast, one, two)

    outcomes = check_deliveries(api, await delivery_rows(db, broadcast))
    assert outcomes["interrupted"] == 0
    assert one.sent() > 0, f"the second worker sent them all: {two.sent()}"
    assert two.sent() > 0, f"the first worker sent them all: {one.sent()}"
    assert one.sent() + two.sent() == outcomes[Outcome.SENT]
    check_coordinator_told(api)


async def test_a_broadcast_whose_last_messages_were_interrupted_still_ends(world: World) -> None:
    """A process killed while it sent a broadcast's last round: once the lease has lapsed,
    the next drain records those messages as interrupted and finishes the broadcast (with its
    summary), though none of its messages is left to send."""
    now = world.clock()
    staff = Staff(ADMIN, frozenset({ADMIN}))
    async with world.app.uow_factory() as uow:
        async with uow.write():
            for chat in (1, 2, 3):
                await uow.users.give_consent(chat, "v1", now)
                await uow.users.set_role(chat, "student", now)
        text = "Последний круг"
        moment = Moment(now, world.app.texts.tz)
        confirmed = await broadcasts.confirm(uow, staff, Draft(text=text, length=len(text)), moment)
        await broadcasts.start_due(uow, now)
        lease = timedelta(seconds=world.app.settings.outbox_lease_seconds)
        assert len(await outbox.claim(uow, now, 10, lease)) == 3  # ...and the process dies
    world.clock.advance(seconds=lease.total_seconds())

    assert await send_outbox(world) == 0
    async with world.app.uow_factory() as uow:
        found, progress = await broadcasts.get(uow, staff, confirmed.broadcast.id)
    assert (progress.failed, progress.left) == (3, 0)
    assert found.status == BroadcastStatus.DONE
    summary = world.app.texts(
        "broadcast-summary", id=found.id, total=3, sent=0, blocked=0, failed=3, stopped=0
    )
    assert [m.text for m in world.telegram.messages(ADMIN)] == [summary]


async def test_concurrent_claims_never_take_a_message_twice(
    database_url: str, broadcast: int
) -> None:
    """Eight senders claiming rounds at once (PostgreSQL: each skips the rows another has
    locked) take every message exactly once between them."""
    app = await create_app(settings_for_tests(database_url, quiz_reminder_hours=0))
    lease = timedelta(seconds=LEASE)

    async def sender() -> list[int]:
        taken: list[int] = []
        async with app.uow_factory() as uow:
            while claimed := await outbox.claim(uow, utcnow(), round_size(RATE), lease):
                taken.extend(message.user_id for message in claimed)
        return taken

    try:
        rounds = await asyncio.gather(*(sender() for _ in range(8)))
    finally:
        await app.close()
    taken = Counter(chat for taken in rounds for chat in taken)
    assert [chat for chat, times in taken.items() if times > 1] == []
    assert set(taken) == set(CHATS)
