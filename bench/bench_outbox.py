"""How fast does the outbox send a broadcast, in how much memory, and how fast is it written?

Run from the repository root:

    .venv/bin/python bench/bench_outbox.py [--recipients 10000] [--small 1000] [--rate 1000]
                                           [--confirm 100000] [--repeat 3] [--postgres URL]
                                           [--telegram http|local] [--latency-ms 0]
                                           [--profile [N]] [--no-gc-freeze]

The defaults make three runs in one process (about a minute each on two cores) and print every
run's figures and their spread. In each run it measures

  (a) throughput: `--recipients` users (consent and role given) and one broadcast to all of them
      confirmed with `services.broadcasts.confirm`, then drained by the real sender
      (`App.outbox_sender(bot).drain()`, SEND_RATE_PER_SECOND=`--rate`, ALLOW_PAID_BROADCAST=true)
      against a fake Bot API that answers at once. Target: messages sent per second (over the
      whole `drain()`, from the broadcast's start to its summary) >= 0.95 x the rate, on SQLite
      and, when it is reachable, on PostgreSQL. Checked: every recipient got exactly one message
      (counted by the fake Bot API), every delivery row is marked sent after one attempt, the
      broadcast is done, the coordinator got the progress message and the summary;
  (b) memory: the peak of Python's allocations (tracemalloc, reset just before `drain()`) while
      draining `--small` and `--recipients` recipients, each in a fresh database (SQLite). Target:
      the larger drain's peak <= 1.25 x the smaller's (the sender holds one round, not the queue);
  (c) writing the delivery rows: the `confirm` call for `--confirm` recipients (one INSERT ...
      SELECT in one transaction), on SQLite and PostgreSQL. Target: under 5 s.

The fake Bot API (`--telegram http`, the default) is a real HTTP server in a separate process
that answers every request at once: the sender goes through the bot's own `AiohttpSession`
(its connection pool, the form encoding, the response parsing, the retry middleware), as in
production, and the server's work is not counted against the sender's event loop nor in its
memory. `--telegram local` replaces it with an in-process aiogram session (no socket) to see
what the HTTP client costs; `--latency-ms` makes the HTTP server answer that much later, as
Telegram does (for information: the targets are for an answer at once).

PostgreSQL: `--postgres URL` (default: $TEST_DATABASE_URL, else the local server at
127.0.0.1:5432); the benchmark makes a database of its own there and drops it at the end;
`--postgres none` skips it. Exits 1 if the work was not really done (or an error was logged),
2 if a target is missed in any run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import json
import os
import pstats
import sys
import tempfile
import time
import tracemalloc
import urllib.parse
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aiogram import Bot  # noqa: E402
from aiogram.client.session.base import BaseSession  # noqa: E402
from aiogram.methods import TelegramMethod  # noqa: E402
from aiogram.methods.base import TelegramType  # noqa: E402
from aiogram.types import Chat, Message  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.bench_answer import Stopwatch, check, execute, machine, spread  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.factory import App, create_app, create_bot  # noqa: E402
from bot.local_session import LocalTelegram  # noqa: E402
from bot.runner import settle_heap  # noqa: E402
from db.calendar import Moment  # noqa: E402
from db.engine import create_engine  # noqa: E402
from db.models import Broadcast, BroadcastStatus, OutboxMessage, Role, User  # noqa: E402
from db.repositories.outbox import Outcome  # noqa: E402
from services import broadcasts, outbox  # noqa: E402
from services.broadcasts import Draft  # noqa: E402
from services.coordinators import Staff  # noqa: E402

THROUGHPUT_RATIO = 0.95
MEMORY_RATIO = 1.25
CONFIRM_SECONDS = 5.0
FIRST_USER_ID = 800_000_001
ADMIN_ID = 799_999_999
TEXT = "<b>Профнавигатор</b>: в субботу день открытых дверей в ЗЖДТ, приходите!"
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
#: Methods whose result is a Message (the others answer True).
SENDS = {"sendMessage", "sendPhoto", "sendDocument"}
RETURNS_MESSAGE = {*SENDS, "editMessageText"}
BOT_ME = (
    b'{"ok":true,"result":{"id":1000000001,"is_bot":true,"first_name":"Bench",'
    b'"username":"bench_bot"}}'
)


# --- the fake Bot API: an HTTP server in its own process ----------------------------------------


class FakeTelegramProtocol(asyncio.Protocol):
    """HTTP/1.1 with keep-alive, just enough for aiohttp's client: every POST is answered at
    once (or after `latency`) with what Telegram would answer; GET /stats and POST /reset
    are the benchmark's."""

    def __init__(self, server: FakeTelegramServer) -> None:
        self.server = server
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1").split("\r\n")
            length = 0
            for line in head[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            verb, path, _ = head[0].split(" ", 2)
            answer = self.server.answer(verb, path, body)
            if self.server.latency > 0 and verb == "POST":
                asyncio.get_running_loop().call_later(self.server.latency, self.reply, answer)
            else:
                self.reply(answer)

    def reply(self, answer: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        self.transport.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\nConnection: keep-alive\r\n\r\n%s" % (len(answer), answer)
        )


def form_fields(body: bytes) -> dict[str, list[str]]:
    """A request's parameters, as `parse_qs` gives a form's: the bot sends requests without
    files as JSON (bot/session.py), others as a form."""
    if body.startswith(b"{"):
        return {
            key: [value if isinstance(value, str) else json.dumps(value)]
            for key, value in json.loads(body).items()
        }
    return urllib.parse.parse_qs(body.decode())


class FakeTelegramServer:
    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.reset()

    def reset(self) -> None:
        self.methods: Counter[str] = Counter()
        #: Messages sent (sendMessage, sendPhoto, sendDocument) per chat.
        self.chats: Counter[int] = Counter()
        self.first = self.last = 0.0
        self.message_id = 0

    def answer(self, verb: str, path: str, body: bytes) -> bytes:
        if verb == "GET" and path == "/stats":
            return json.dumps(
                {
                    "methods": self.methods,
                    "chats": {str(c): n for c, n in self.chats.items()},
                    "first": self.first,
                    "last": self.last,
                }
            ).encode()
        if verb == "POST" and path == "/reset":
            self.reset()
            return b"{}"
        name = path.rsplit("/", 1)[-1]
        self.methods[name] += 1
        if name == "getMe":  # the webhook's start (bench_webhook.py) asks who it is
            return BOT_ME
        if name not in RETURNS_MESSAGE:
            return b'{"ok":true,"result":true}'
        fields = form_fields(body)
        chat_id = int(fields["chat_id"][0])
        if name in SENDS:
            self.chats[chat_id] += 1
            now = time.perf_counter()
            self.first = self.first or now
            self.last = now
        self.message_id += 1
        message = {
            "message_id": int(fields.get("message_id", [self.message_id])[0]),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "text": fields.get("text", fields.get("caption", [""]))[0],
        }
        return json.dumps({"ok": True, "result": message}).encode()


def serve(latency: float) -> None:
    """The fake Bot API's process: prints its port, serves until its stdin closes."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = FakeTelegramServer(latency)
        listening = await loop.create_server(
            lambda: FakeTelegramProtocol(server), "127.0.0.1", 0, backlog=1024
        )
        print(listening.sockets[0].getsockname()[1], flush=True)
        await loop.run_in_executor(None, sys.stdin.read)
        listening.close()

    asyncio.run(main())


@dataclass
class Received:
    """What the fake Bot API was sent since its last reset."""

    methods: Counter[str]
    chats: Counter[int]
    seconds: float


class HttpTelegram:
    """The fake Bot API in a separate process, and a small client for its statistics."""

    kind = "http"

    def __init__(self, latency_ms: float) -> None:
        self.latency_ms = latency_ms
        self.process: asyncio.subprocess.Process | None = None
        self.url = ""

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--serve",
            str(self.latency_ms / 1000),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self.process.stdout is not None
        port = int((await self.process.stdout.readline()).decode().strip())
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self.process is None:
            return
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 5)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    async def _call(self, verb: str, path: str) -> Any:
        host, port = self.url.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(f"{verb} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
        body = await reader.readexactly(length)
        writer.close()
        return json.loads(body)

    async def reset(self, recipients: int) -> None:  # noqa: ARG002 - it counts in a Counter
        await self._call("POST", "/reset")

    async def received(self) -> Received:
        stats = await self._call("GET", "/stats")
        return Received(
            Counter(stats["methods"]),
            Counter({int(c): n for c, n in stats["chats"].items()}),
            stats["last"] - stats["first"],
        )

    def bot(self, settings: Settings) -> Bot:
        return create_bot(settings)  # the production session, pointed at settings' API URL


class InstantSession(BaseSession):
    """An in-process Bot API that answers at once and keeps only counters (unlike LocalTelegram,
    which keeps every message it was sent)."""

    def __init__(self) -> None:
        super().__init__()
        self.methods: Counter[str] = Counter()
        #: Messages per recipient (allocated before the drain, so not in its memory figure),
        #: and per other chat (the coordinator's).
        self.recipients = bytearray()
        self.others: Counter[int] = Counter()
        self.first = self.last = 0.0
        self.message_id = 0

    def expect(self, recipients: int) -> None:
        self.methods.clear()
        self.recipients = bytearray(recipients)
        self.others.clear()
        self.first = self.last = 0.0

    @property
    def chats(self) -> Counter[int]:
        counts = Counter(self.others)
        counts.update({FIRST_USER_ID + i: n for i, n in enumerate(self.recipients) if n})
        return counts

    async def close(self) -> None:
        return None

    def stream_content(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ARG002, ASYNC109 - BaseSession's signature
    ) -> TelegramType:
        name = method.__api_method__
        self.methods[name] += 1
        if name not in RETURNS_MESSAGE:
            return True  # type: ignore[return-value]
        chat_id = int(getattr(method, "chat_id", 0) or 0)
        if name in SENDS:
            i = chat_id - FIRST_USER_ID
            if 0 <= i < len(self.recipients):
                self.recipients[i] = min(255, self.recipients[i] + 1)
            else:
                self.others[chat_id] += 1
            now = time.perf_counter()
            self.first = self.first or now
            self.last = now
        self.message_id += 1
        return Message(  # type: ignore[return-value]
            message_id=getattr(method, "message_id", None) or self.message_id,
            date=datetime.now(UTC),
            chat=Chat(id=chat_id, type="private"),
            from_user=LocalTelegram.BOT_USER,
            text=getattr(method, "text", None) or getattr(method, "caption", None) or "",
        ).as_(bot)


class LocalFake:
    """`--telegram local`: an `InstantSession` per bot."""

    kind = "local"
    url = "http://127.0.0.1:9"  # never reached

    def __init__(self) -> None:
        self.session: InstantSession | None = None

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def reset(self, recipients: int) -> None:
        assert self.session is not None
        self.session.expect(recipients)

    def bot(self, settings: Settings) -> Bot:
        self.session = InstantSession()
        return create_bot(settings, session=self.session)

    async def received(self) -> Received:
        assert self.session is not None
        s = self.session
        return Received(s.methods, s.chats, s.last - s.first)


Fake = HttpTelegram | LocalFake


# --- the databases --------------------------------------------------------------------------------


@dataclass
class Database:
    """A backend: SQLite (a fresh file for each measurement) or PostgreSQL (a database of the
    benchmark's own, emptied before each measurement)."""

    name: str
    url: str
    directory: Path | None = None
    _count: int = 0

    async def fresh(self) -> str:
        if self.directory is not None:
            self._count += 1
            return f"sqlite+aiosqlite:///{self.directory / f'outbox-{self._count}.sqlite3'}"
        engine = create_engine(self.url)
        try:
            async with engine.begin() as connection:
                await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
        finally:
            await engine.dispose()
        return self.url


async def _admin(url: str, *statements: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def postgres_database(url: str | None) -> AsyncIterator[Database | None]:
    """A database of this run's own on the server `url` names (dropped at the end), or None
    when there is no server to reach."""
    if not url or url == "none":
        yield None
        return
    name = f"profnavigator_bench_{os.getpid()}"
    try:
        await asyncio.wait_for(
            _admin(url, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"), 10
        )
    except Exception as error:
        print(f"PostgreSQL at {make_url(url).render_as_string()} not reachable ({error}): skipped")
        yield None
        return
    own = make_url(url).set(database=name).render_as_string(hide_password=False)
    try:
        yield Database("PostgreSQL", own)
    finally:
        await _admin(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# --- setting up a broadcast ----------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """The fake Bot API, and the rate the sender is set to."""

    fake: Fake
    rate: float
    #: Settle the heap before each drain (`bot.runner.settle_heap`), as the bot does once it
    #: has started.
    freeze_gc: bool = True


def settings_for(url: str, setup: Setup) -> Settings:
    return Settings(
        _env_file=None,
        database_url=url,
        bot_token=None,
        telegram_api_url=setup.fake.url,
        send_rate_per_second=setup.rate,
        allow_paid_broadcast=True,
        admin_ids=frozenset({ADMIN_ID}),
    )


async def add_users(app: App, n: int) -> None:
    """`n` registered students (consent and role given), in one transaction (untimed)."""
    now = app.clock()
    year = Moment(now, app.texts.tz).academic_year
    async with app.uow_factory() as uow, uow.write():
        for start in range(0, n, 10_000):
            await uow.session.execute(
                insert(User),
                [
                    {
                        "id": FIRST_USER_ID + i,
                        "role": Role.STUDENT,
                        "organisation_id": None,
                        "grade": 9,
                        "grade_year": year,
                        "consent_version": "bench",
                        "consent_at": now,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(start, min(n, start + 10_000))
                ],
            )


async def confirm_broadcast(app: App, n: int) -> tuple[int, float]:
    """The administrator confirms a broadcast to everyone: (its id, seconds `confirm` took)."""
    now = app.clock()
    draft = Draft(text=TEXT, length=len(TEXT) - len("<b></b>"))
    t0 = time.perf_counter()
    async with app.uow_factory() as uow:
        confirmed = await broadcasts.confirm(
            uow, Staff(ADMIN_ID, frozenset({ADMIN_ID})), draft, Moment(now, app.texts.tz)
        )
    seconds = time.perf_counter() - t0
    check(confirmed.created, "the broadcast was not created")
    check(
        confirmed.broadcast.recipients == n,
        f"the broadcast reaches {confirmed.broadcast.recipients}, expected {n}",
    )
    return confirmed.broadcast.id, seconds


# --- (a) and (b): draining -----------------------------------------------------------------------


@dataclass
class Phases:
    """Time spent in the sender's database steps (wall, summed over the rounds)."""

    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    calls: Counter[str] = field(default_factory=Counter)
    #: The garbage collector's pauses by generation: their sum, the longest, how many.
    gc_seconds: defaultdict[int, float] = field(default_factory=lambda: defaultdict(float))
    gc_longest: defaultdict[int, float] = field(default_factory=lambda: defaultdict(float))
    gc_calls: Counter[int] = field(default_factory=Counter)

    def gc_line(self) -> str:
        return "garbage collector: " + ", ".join(
            f"{self.gc_calls[g]} x gen {g} ({self.gc_seconds[g] * 1000:.0f} ms, "
            f"longest {self.gc_longest[g] * 1000:.0f} ms)"
            for g in sorted(self.gc_calls)
        )

    def line(self) -> str:
        rounds = self.calls["record_and_claim"] or 1
        parts = ", ".join(
            f"{name} {self.seconds[name] / rounds * 1000:.1f} ms"
            for name in ("record_and_claim", "read_batch", "report_due")
        )
        total = sum(self.seconds.values())
        return (
            f"{rounds} rounds; database per round: {parts} (all rounds: {total:.2f} s, "
            f"while the round before is being sent)"
        )


@contextlib.contextmanager
def timing_phases(phases: Phases) -> Any:
    """Wrap the service functions the sender calls once per round, to time them."""
    wrapped = [(outbox, "record_and_claim"), (outbox, "read_batch"), (outbox, "record")]
    wrapped.append((broadcasts, "report_due"))
    originals = [(module, name, getattr(module, name)) for module, name in wrapped]

    def timed(name: str, original: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
        async def call(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                phases.seconds[name] += time.perf_counter() - t0
                phases.calls[name] += 1

        return call

    for module, name, original in originals:
        setattr(module, name, timed(name, original))
    try:
        yield
    finally:
        for module, name, original in originals:
            setattr(module, name, original)


@contextlib.contextmanager
def timing_gc(phases: Phases) -> Any:
    """Count the garbage collector's pauses, by generation."""
    started = [0.0]

    def callback(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            generation = int(info["generation"])
            paused = time.perf_counter() - started[0]
            phases.gc_seconds[generation] += paused
            phases.gc_longest[generation] = max(phases.gc_longest[generation], paused)
            phases.gc_calls[generation] += 1

    gc.callbacks.append(callback)
    try:
        yield
    finally:
        gc.callbacks.remove(callback)


@dataclass
class Drain:
    database: str
    recipients: int
    watch: Stopwatch
    rate: float
    phases: Phases
    server_seconds: float
    peak_bytes: int = 0

    @property
    def per_second(self) -> float:
        return self.recipients / self.watch.wall

    @property
    def ratio(self) -> float:
        return self.per_second / self.rate

    def line(self) -> str:
        n = self.recipients
        verdict = "PASS" if self.ratio >= THROUGHPUT_RATIO else "FAIL"
        server = (n - 1) / self.server_seconds if self.server_seconds > 0 else float("nan")
        return (
            f"{self.database:<10} {n:,} messages in {self.watch.wall:.2f} s = "
            f"{self.per_second:,.0f}/s   ratio {self.ratio:.3f}   target >= {THROUGHPUT_RATIO}   "
            f"{verdict}\n"
            f"      first to last message at the Bot API: {server:,.0f}/s; "
            f"per message: event-loop CPU {self.watch.loop_cpu / n * 1e6:,.0f} µs, "
            f"process CPU {self.watch.process_cpu / n * 1e6:,.0f} µs\n"
            f"      {self.phases.line()}\n"
            f"      {self.phases.gc_line()}"
        )


async def drain(
    database: Database,
    setup: Setup,
    n: int,
    *,
    memory: bool = False,
    profiler: cProfile.Profile | None = None,
) -> Drain:
    """`n` recipients of one broadcast, drained by the app's sender; checked afterwards."""
    url = await database.fresh()
    settings = settings_for(url, setup)
    fake = setup.fake
    app = await create_app(settings)
    try:
        await add_users(app, n)
        broadcast_id, _ = await confirm_broadcast(app, n)
        bot = fake.bot(settings)
        try:
            sender = app.outbox_sender(bot)
            await fake.reset(n)
            phases = Phases()
            watch = Stopwatch()
            gc.collect()
            if setup.freeze_gc:
                settle_heap()
            if memory:
                tracemalloc.start()
            if profiler is not None:
                profiler.enable()
            with timing_phases(phases), timing_gc(phases):
                watch.start()
                sent = await sender.drain()
                watch.stop()
            if profiler is not None:
                profiler.disable()
            gc.unfreeze()
            peak = 0
            if memory:
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            received = await fake.received()
        finally:
            await bot.session.close()
        await verify(app, broadcast_id, n, sent, received)
    finally:
        await app.close()
    return Drain(database.name, n, watch, setup.rate, phases, received.seconds, peak)


async def verify(app: App, broadcast_id: int, n: int, sent: int, received: Received) -> None:
    """Everyone got the broadcast once; every delivery row says so; the broadcast is done."""
    check(sent == n, f"the sender sent {sent} of {n}")
    wanted = set(range(FIRST_USER_ID, FIRST_USER_ID + n))
    to_users = {chat: count for chat, count in received.chats.items() if chat != ADMIN_ID}
    check(set(to_users) == wanted, f"{len(set(to_users) ^ wanted)} recipients missed or extra")
    twice = sum(1 for count in to_users.values() if count != 1)
    check(twice == 0, f"{twice} recipients got the broadcast more than once")
    check(received.chats[ADMIN_ID] == 2, "the coordinator did not get the progress and summary")
    async with app.uow_factory() as uow:
        result = await uow.session.execute(
            select(OutboxMessage.outcome, func.count())
            .where(
                OutboxMessage.broadcast_id == broadcast_id,
                OutboxMessage.sent_at.is_not(None),
                OutboxMessage.claimed_at.is_not(None),
                OutboxMessage.attempts == 1,
            )
            .group_by(OutboxMessage.outcome)
        )
        # Not dict(result): a Result has keys(), so dict() would take it for a mapping.
        rows = {outcome: count for outcome, count in result}  # noqa: C416
        status = await uow.session.scalar(
            select(Broadcast.status).where(Broadcast.id == broadcast_id)
        )
        await uow.end_read()
    check(rows == {Outcome.SENT: n}, f"delivery rows: {rows}, expected {n} sent at first try")
    check(status == BroadcastStatus.DONE, f"the broadcast is {status}, not done")


# --- (c): writing the delivery rows --------------------------------------------------------------


async def confirm_only(database: Database, n: int) -> float:
    url = await database.fresh()
    app = await create_app(settings_for(url, Setup(LocalFake(), 1000)))
    try:
        await add_users(app, n)
        _, seconds = await confirm_broadcast(app, n)
        async with app.uow_factory() as uow:
            rows = await uow.session.scalar(select(func.count()).select_from(OutboxMessage))
            await uow.end_read()
        check(rows == n, f"(c) {rows} delivery rows written for {n} recipients")
    finally:
        await app.close()
    return seconds


# --- main ----------------------------------------------------------------------------------------


@dataclass
class Run:
    drains: list[Drain]
    small_peak: int
    large_peak: int
    confirms: dict[str, float]

    @property
    def memory_ratio(self) -> float:
        return self.large_peak / self.small_peak

    @property
    def held(self) -> bool:
        return (
            all(d.ratio >= THROUGHPUT_RATIO for d in self.drains)
            and self.memory_ratio <= MEMORY_RATIO
            and all(s < CONFIRM_SECONDS for s in self.confirms.values())
        )


def megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:.2f} MB"


async def measure(
    args: argparse.Namespace,
    databases: list[Database],
    fake: Fake,
    profiler: cProfile.Profile | None,
) -> Run:
    setup = Setup(fake, args.rate, not args.no_gc_freeze)
    drains = []
    for database in databases:
        print(f"(a) {database.name}: draining {args.recipients:,} recipients ...", flush=True)
        result = await drain(
            database,
            setup,
            args.recipients,
            profiler=profiler if database is databases[0] else None,
        )
        print("    " + result.line(), flush=True)
        drains.append(result)
    sqlite = databases[0]
    peaks = []
    for n in (args.small, args.recipients):
        print(f"(b) {sqlite.name}: draining {n:,} under tracemalloc ...", flush=True)
        result = await drain(sqlite, setup, n, memory=True)
        print(
            f"    peak {megabytes(result.peak_bytes)} "
            f"(at {result.per_second:,.0f} messages/s under tracemalloc)",
            flush=True,
        )
        peaks.append(result.peak_bytes)
    confirms = {}
    for database in databases:
        print(f"(c) {database.name}: confirming a broadcast to {args.confirm:,} ...", flush=True)
        confirms[database.name] = await confirm_only(database, args.confirm)
    run = Run(drains, peaks[0], peaks[1], confirms)
    print()
    for d in drains:
        print(
            f"(a) {d.database:<10} {d.per_second:8,.0f} messages/s   ratio {d.ratio:.3f}   "
            f"target >= {THROUGHPUT_RATIO}   {'PASS' if d.ratio >= THROUGHPUT_RATIO else 'FAIL'}"
        )
    memory_ok = run.memory_ratio <= MEMORY_RATIO
    print(
        f"(b) peak memory: {megabytes(run.small_peak)} for {args.small:,}, "
        f"{megabytes(run.large_peak)} for {args.recipients:,}   ratio {run.memory_ratio:.2f}   "
        f"target <= {MEMORY_RATIO}   {'PASS' if memory_ok else 'FAIL'}"
    )
    for name, seconds in confirms.items():
        print(
            f"(c) {name:<10} {args.confirm:,} delivery rows in {seconds:.2f} s   "
            f"target < {CONFIRM_SECONDS:.0f} s   {'PASS' if seconds < CONFIRM_SECONDS else 'FAIL'}"
        )
    print()
    return run


async def run(args: argparse.Namespace) -> int:
    print(machine())
    fake: Fake = HttpTelegram(args.latency_ms) if args.telegram == "http" else LocalFake()
    if args.telegram == "http":
        print(
            "Fake Bot API: an HTTP server in a separate process, answering every request "
            + ("at once" if not args.latency_ms else f"after {args.latency_ms:g} ms")
            + ": the sender runs through the bot's own AiohttpSession (connection pool, form "
            "encoding, response parsing, retry middleware) as in production, and the server's "
            "CPU and memory are not the sender's."
        )
    else:
        print(
            "Fake Bot API: an in-process aiogram session answering at once (no socket, no HTTP "
            "client): the outbox's own cost without the HTTP client's."
        )
    print(
        f"Rate {args.rate:g} messages/s (ALLOW_PAID_BROADCAST=true); SQLite in WAL mode with "
        "synchronous=FULL, as the bot opens it."
        + (
            " The heap is not frozen (--no-gc-freeze)."
            if args.no_gc_freeze
            else " The heap is frozen before each drain, as the bot does once started."
        )
        + "\n"
    )
    await fake.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-outbox-") as tmp:
            async with postgres_database(args.postgres) as postgres:
                databases = [Database("SQLite", "", Path(tmp))]
                if postgres is not None:
                    databases.append(postgres)
                profiler = cProfile.Profile() if args.profile else None
                runs: list[Run] = []
                for number in range(1, args.repeat + 1):
                    print(f"--- run {number} of {args.repeat} ---", flush=True)
                    runs.append(await measure(args, databases, fake, profiler))
    finally:
        await fake.stop()
    print(f"over {len(runs)} runs:")
    for i, database in enumerate(databases):
        ratios = [r.drains[i].ratio for r in runs]
        print(f"  (a) {database.name:<10} throughput ratio: {spread(ratios)}")
    print(f"  (b) memory ratio {args.recipients:,} / {args.small:,}: ", end="")
    print(spread([r.memory_ratio for r in runs]))
    for database in databases:
        seconds = [r.confirms[database.name] for r in runs]
        print(f"  (c) {database.name:<10} confirm {args.confirm:,}, s: {spread(seconds)}")
    held = all(r.held for r in runs)
    print(f"every target in every run: {'yes' if held else 'NO'}")
    if profiler is not None:
        print(
            f"\n(a) on SQLite ran under cProfile, so its figures are inflated. Top {args.profile}:"
        )
        for order in ("cumulative", "tottime"):
            pstats.Stats(profiler, stream=sys.stdout).sort_stats(order).print_stats(args.profile)
    return 0 if held else 2


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve(float(sys.argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1000, help="the smaller drain of (b)")
    parser.add_argument("--rate", type=float, default=1000.0, help="SEND_RATE_PER_SECOND")
    parser.add_argument("--confirm", type=int, default=100_000, help="recipients in (c)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs in this process; the spread is printed"
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_DATABASE_URL") or DEFAULT_POSTGRES,
        help="a PostgreSQL server to measure on too ('none': SQLite only)",
    )
    parser.add_argument("--telegram", choices=("http", "local"), default="http")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument(
        "--no-gc-freeze",
        action="store_true",
        help="do not settle the heap before each drain (bot.runner.settle_heap, as the bot does)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        nargs="?",
        const=25,
        default=0,
        metavar="LINES",
        help="profile (a) on SQLite and print the top LINES (25) functions",
    )
    args = parser.parse_args()
    for name in ("recipients", "small", "confirm", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if not 0 < args.rate <= 1000:
        parser.error("--rate must be in (0, 1000]")
    return execute(run(args))


if __name__ == "__main__":
    sys.exit(main())
