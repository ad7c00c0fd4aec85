"""How fast is one questionnaire answer, against the floor of the framework plus one durable write?

Run from the repository root:

    .venv/bin/python bench/bench_answer.py [--users 500] [--rounds 10] [--repeat 3]
                                           [--echo-updates 5000] [--writes 2000] [--profile [N]]

Each run takes about a minute on two cores (registering 500 users, untimed, is half of it); the
defaults make three runs in one process and print the spread of the ratio.
`--rounds 20` answers the whole questionnaire (the last answer finishes it: scores, monitoring
step, result screen) and takes about twice as long. `--profile` runs the timed part of (c) under
cProfile and prints the top N functions by cumulative and by own time, and the SQL per answer.

In one process it measures

  (a) a bare aiogram echo handler: a fresh `Dispatcher` with one message handler that calls
      `message.answer(message.text)`, on a `Bot` whose session is `LocalTelegram`;
  (b) one durable SQLite write through the project's own engine (WAL, synchronous=FULL):
      a committed `async with uow.write(): uow.steps.log(...)` per row, on one unit of work;
  (c) the full path of one questionnaire answer (middlewares, database read and write, message
      edit) for many registered users answering in interleaved order (round 1: every user answers
      question 1, round 2: question 2, ...), through the app built by `create_app`.

(a) and (c) are timed the same way, the way an update arrives from Telegram: a raw update dict
(built before timing) -> `Update.model_validate` -> `Dispatcher.feed_update`, one update at a
time. (a) and (b) are taken in chunks spread over (c): one before it, one between each two of
its rounds, one after it (`Floor`), so that a neighbour's load on this shared machine, or a
drift of the disk's fsync time, weighs on the floor as it does on (c) and cancels out of their
ratio. The floor is `1 / (1/a + 1/b)`: the framework's cost of an update plus one durable write.
The target is (c) >= 0.6 x floor. The run fails (exit 1) if the work was not really done (every
echo sent, every row written, every answer stored in its attempt, every answer's message edited
in place and its callback query answered, no error logged), and exits 2 if the target is missed
in any run.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import itertools
import logging
import os
import platform
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiogram  # noqa: E402
import sqlalchemy  # noqa: E402
from aiogram import Bot, Dispatcher, methods  # noqa: E402
from aiogram.dispatcher.event.bases import UNHANDLED  # noqa: E402
from aiogram.methods import TelegramMethod  # noqa: E402
from aiogram.types import Message, Update  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.conversation import Conversation  # noqa: E402
from bot.factory import OFFLINE_TOKEN, create_app, create_bot, create_dispatcher  # noqa: E402
from bot.local_session import LocalTelegram, Shown  # noqa: E402
from bot.runner import settle_heap  # noqa: E402
from db import migrate  # noqa: E402
from db.engine import create_engine, create_session_factory  # noqa: E402
from db.models import QuizAttempt, Step  # noqa: E402
from db.records import NewStep  # noqa: E402
from db.uow import UnitOfWork  # noqa: E402
from locales import Texts  # noqa: E402
from services.quiz import interest_quiz  # noqa: E402

TARGET_RATIO = 0.6
FIRST_USER_ID = 600_000_001
TEXTS = Texts()

#: Ids the benchmark gives its own updates, far from those `Conversation` uses during setup.
_update_ids = itertools.count(2_000_000_000)
_query_ids = itertools.count(1)


class BenchFailed(Exception):
    """The work that was timed was not really done."""


class ErrorCounter(logging.Handler):
    """Counts ERROR records (the bot's error handler logs every failed update)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.first: str | None = None
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if self.first is None:
            self.first = f"{record.name}: {record.getMessage()}"


class Stopwatch:
    """Wall time, and CPU time of the main thread (the event loop) and of the whole process."""

    def __init__(self) -> None:
        self.wall = self.loop_cpu = self.process_cpu = 0.0
        self._started = (0.0, 0.0, 0.0)

    def start(self) -> None:
        self._started = (time.perf_counter(), time.thread_time(), time.process_time())

    def stop(self) -> None:
        wall, loop_cpu, process_cpu = self._started
        self.wall += time.perf_counter() - wall
        self.loop_cpu += time.thread_time() - loop_cpu
        self.process_cpu += time.process_time() - process_cpu


@dataclass
class Result:
    name: str
    count: int
    watch: Stopwatch

    @property
    def seconds(self) -> float:
        return self.watch.wall

    @property
    def per_second(self) -> float:
        return self.count / self.seconds

    def line(self, unit: str) -> str:
        return (
            f"{self.name}: {self.per_second:10,.0f} {unit}/s   "
            f"({self.count:,} in {self.seconds:.3f} s, {self.seconds / self.count * 1e6:,.0f} µs "
            f"each)"
        )

    def cpu_line(self) -> str:
        n = self.count
        return (
            f"    per item: wall {self.watch.wall / n * 1e6:,.0f} µs, "
            f"event-loop thread CPU {self.watch.loop_cpu / n * 1e6:,.0f} µs, "
            f"process CPU (all threads) {self.watch.process_cpu / n * 1e6:,.0f} µs"
        )


def check(condition: bool, message: str) -> None:
    if not condition:
        raise BenchFailed(message)


def now_ts() -> int:
    return int(datetime.now(UTC).timestamp())


# --- (a) bare aiogram echo --------------------------------------------------------------------


def message_payload(user_id: int, text: str) -> dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": "Эхо", "language_code": "ru"}
    return {
        "update_id": next(_update_ids),
        "message": {
            "message_id": next(_update_ids),
            "date": now_ts(),
            "chat": {"id": user_id, "type": "private", "first_name": "Эхо"},
            "from": user,
            "text": text,
        },
    }


async def feed_all(
    dispatcher: Dispatcher,
    bot: Bot,
    payloads: list[dict[str, Any]],
    watch: Stopwatch,
    profiler: cProfile.Profile | None = None,
) -> None:
    """The timed loop of (a) and (c): parse each raw update and feed it, one at a time."""
    validate = Update.model_validate
    feed = dispatcher.feed_update
    context = {"bot": bot}
    unhandled = 0
    if profiler is not None:
        profiler.enable()
    watch.start()
    for payload in payloads:
        result = await feed(bot, validate(payload, context=context))
        if result is UNHANDLED:
            unhandled += 1
    watch.stop()
    if profiler is not None:
        profiler.disable()
    check(unhandled == 0, f"{unhandled} updates were not handled")


class EchoFloor:
    """(a), taken in chunks: a fresh `Dispatcher` with one echo handler on `LocalTelegram`."""

    def __init__(self) -> None:
        self.telegram = LocalTelegram(check_html=False)
        self.bot = Bot(OFFLINE_TOKEN, session=self.telegram)
        self.dispatcher = Dispatcher()
        self.watch = Stopwatch()
        self.texts: list[str] = []

        @self.dispatcher.message()
        async def echo(message: Message) -> None:
            await message.answer(message.text or "")

    async def warm(self) -> None:
        warm = [message_payload(FIRST_USER_ID, "разогрев") for _ in range(50)]
        await feed_all(self.dispatcher, self.bot, warm, Stopwatch())
        self.telegram.requests.clear()

    async def chunk(self, n: int) -> None:
        first = len(self.texts)
        payloads = [
            message_payload(FIRST_USER_ID + i % 500, f"эхо {i}") for i in range(first, first + n)
        ]
        self.texts.extend(p["message"]["text"] for p in payloads)
        await feed_all(self.dispatcher, self.bot, payloads, self.watch)

    async def finish(self) -> Result:
        sent = self.telegram.calls(methods.SendMessage)
        n = len(self.texts)
        check(len(sent) == n, f"(a) echo sent {len(sent)} messages for {n} updates")
        check([m.text for m in sent] == self.texts, "(a) the echoes do not match the messages")
        await self.bot.session.close()
        return Result("(a) aiogram echo        ", n, self.watch)


# --- (b) one durable write --------------------------------------------------------------------


class WriteFloor:
    """(b), taken in chunks: a committed single-row INSERT per write, on one unit of work."""

    def __init__(self, directory: Path) -> None:
        self.engine = create_engine(f"sqlite+aiosqlite:///{directory / 'writes.sqlite3'}")
        self.watch = Stopwatch()
        self.count = 0
        self.now = datetime.now(UTC)
        self._uow: UnitOfWork | None = None

    async def _write(self, ref: str, i: int) -> None:
        uow = self._uow
        assert uow is not None
        async with uow.write():
            await uow.steps.log(
                NewStep(
                    kind="bench",
                    ref=ref,
                    user_id=None,
                    role="student",
                    organisation_id=None,
                    grade=9,
                    academic_year=2026,
                    created_at=self.now,
                    detail={"i": i},
                )
            )

    async def warm(self) -> None:
        await migrate.upgrade(self.engine)
        self._uow = UnitOfWork(create_session_factory(self.engine)())
        await self._uow.__aenter__()
        for i in range(50):  # warm-up: connection, statement cache
            await self._write(f"warm-up:{i}", i)

    async def chunk(self, n: int) -> None:
        watch = self.watch
        watch.start()
        for i in range(self.count, self.count + n):
            await self._write(f"write:{i}", i)
        watch.stop()
        self.count += n

    async def finish(self) -> Result:
        try:
            if self._uow is not None:
                await self._uow.__aexit__(None, None, None)
            async with UnitOfWork(create_session_factory(self.engine)()) as uow:
                written = await uow.session.scalar(
                    select(func.count()).select_from(Step).where(Step.ref.like("write:%"))
                )
                mode = (await uow.session.execute(sqlalchemy.text("PRAGMA synchronous"))).scalar()
                journal = (
                    await uow.session.execute(sqlalchemy.text("PRAGMA journal_mode"))
                ).scalar()
            n = self.count
            check(written == n, f"(b) {written} rows written for {n} writes")
            check(mode == 2 and journal == "wal", f"(b) synchronous={mode}, journal_mode={journal}")
        finally:
            await self.engine.dispose()
        return Result("(b) durable SQLite write", self.count, self.watch)


class Floor:
    """(a) and (b) taken in `parts` chunks spread over the timed work (c): one before it, one
    between each two of its rounds, one after it. The machine is shared; whatever load comes
    and goes during (c) then weighs on the floor as it does on (c), so that their ratio
    measures the bot, not the neighbours."""

    def __init__(self, args: argparse.Namespace, directory: Path, parts: int) -> None:
        self.echo = EchoFloor()
        self.write = WriteFloor(directory)
        self.parts = parts
        self.taken = 0
        self._echo_n, self._write_n = args.echo_updates, args.writes

    async def warm(self) -> None:
        await self.echo.warm()
        await self.write.warm()

    def _share(self, total: int) -> int:
        """This chunk's share of `total`, the last chunk taking what is left."""
        return total * (self.taken + 1) // self.parts - total * self.taken // self.parts

    async def sample(self) -> None:
        """One chunk of (a) and of (b)."""
        check(self.taken < self.parts, "(a)/(b) sampled more often than planned")
        await self.echo.chunk(self._share(self._echo_n))
        await self.write.chunk(self._share(self._write_n))
        self.taken += 1

    async def finish(self) -> tuple[Result, Result]:
        check(self.taken == self.parts, f"(a)/(b) sampled {self.taken} of {self.parts} times")
        return await self.echo.finish(), await self.write.finish()


# --- (c) the answer path ----------------------------------------------------------------------


@dataclass
class Taker:
    chat: Conversation
    message_id: int
    attempt_id: int
    chosen: list[str]


def callback_payload(chat: Conversation, shown: Shown, data: str) -> dict[str, Any]:
    """A tap on a button of `shown`: exactly what `Conversation.press` sends, with the
    benchmark's own ids."""
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": f"bench-{next(_query_ids)}",
            "from": chat.user_payload,
            "chat_instance": "local",
            "data": data,
            "message": {
                "message_id": shown.message_id,
                "date": now_ts(),
                "chat": chat.chat_payload,
                "from": LocalTelegram.BOT_USER.model_dump(exclude_none=True),
                "text": shown.text,
            },
        },
    }


async def register(chat: Conversation) -> None:
    """/start, consent, role, school and grade: a 9th-grader, tapping the buttons (untimed)."""
    await chat.send("/start")
    await chat.click(TEXTS("btn-welcome-next"))
    await chat.click(TEXTS("btn-agree"))
    await chat.click(TEXTS("role-student"), on=chat.with_buttons())
    await chat.click("Школа № 1")  # the catalogue's name
    await chat.click(TEXTS("btn-grade", grade=9))


async def register_and_begin(chat: Conversation, title: str) -> Shown:
    """Registered, then on the questionnaire's first question (untimed)."""
    await register(chat)
    await chat.click(TEXTS("btn-quiz-start", title=title))
    await chat.click(TEXTS("btn-quiz-begin"))
    return chat.with_buttons()


async def bench_answers(
    users: int,
    rounds: int,
    directory: Path,
    between: Callable[[], Awaitable[None]],
    profiler: cProfile.Profile | None = None,
) -> Result:
    """(c); `between()` is awaited before each round and after the last (the floor's chunks)."""
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{directory / 'app.sqlite3'}",
        bot_token=None,
    )
    app = await create_app(settings)
    try:
        telegram = LocalTelegram(check_html=False)
        bot = create_bot(settings, session=telegram)
        dispatcher = create_dispatcher(app)
        quiz = interest_quiz(app.quizzes)
        check(1 <= rounds <= quiz.length, f"--rounds must be 1..{quiz.length}")
        first_question = TEXTS(
            "quiz-question", title=quiz.title, number=1, total=quiz.length, options=""
        ).split("\n")[0]

        setup_started = time.perf_counter()
        takers: list[Taker] = []
        for i in range(users):
            chat = Conversation(dispatcher, bot, telegram, FIRST_USER_ID + i, f"Ученик {i}")
            shown = await register_and_begin(chat, quiz.title)
            check(first_question in shown.text, f"no first question on screen: {shown.text[:80]!r}")
            answer_data = shown.buttons[0][1]
            check(answer_data.startswith("ans:"), f"not an answer button: {answer_data}")
            attempt_id = int(answer_data.split(":")[2])
            takers.append(Taker(chat, shown.message_id, attempt_id, []))
        print(
            f"    setup: {users} users registered and on question 1 "
            f"in {time.perf_counter() - setup_started:.1f} s (untimed)",
            flush=True,
        )

        statements: list[str] = []
        if profiler is not None:
            # Counted only when profiling: the listener would add to the timed work.
            @event.listens_for(app.engine.sync_engine, "before_cursor_execute")
            def _count(*args: Any) -> None:
                if recording:
                    statements.append(" ".join(str(args[2]).split()[:3]))

            @event.listens_for(app.engine.sync_engine, "commit")
            def _count_commit(_connection: Any) -> None:
                if recording:
                    statements.append("<commit>")

        settle_heap()  # as the bot does once started (bot/runner.py)
        recording = False
        requests_before = len(telegram.requests)
        watch = Stopwatch()
        for r in range(rounds):
            payloads = []
            for u, taker in enumerate(takers):
                shown = next(m for m in taker.chat.messages if m.message_id == taker.message_id)
                answers = shown.buttons[: len(quiz.questions[r].options)]
                label, data = answers[(u + r) % len(answers)]
                check(
                    data.startswith(f"ans:{quiz.id}:{taker.attempt_id}:{r}:"),
                    f"user {u} round {r}: unexpected button {label!r} {data!r}",
                )
                taker.chosen.append(data.rsplit(":", 1)[1])
                payloads.append(callback_payload(taker.chat, shown, data))
            await between()
            recording = True
            await feed_all(dispatcher, bot, payloads, watch, profiler)
            recording = False
        await between()

        await verify_answers(
            app.uow_factory, telegram.requests[requests_before:], takers, rounds, quiz.length
        )
    finally:
        gc.unfreeze()
        await app.close()
    n = users * rounds
    if statements:
        print(f"    SQL per answer ({len(statements) / n:.1f} statements incl. commit):")
        for statement, count in Counter(statements).most_common():
            print(f"      {count / n:5.2f}  {statement} ...")
    return Result("(c) questionnaire answer", n, watch)


async def verify_answers(
    uow_factory: Callable[[], UnitOfWork],
    timed: list[TelegramMethod[Any]],
    takers: list[Taker],
    rounds: int,
    length: int,
) -> None:
    """The timed requests (`timed`) and the stored attempts are what the answers should give."""
    n = len(takers) * rounds
    edits = [r for r in timed if isinstance(r, methods.EditMessageText)]
    sent = [r for r in timed if isinstance(r, methods.SendMessage)]
    acks = [r for r in timed if isinstance(r, methods.AnswerCallbackQuery)]
    check(len(edits) == n, f"(c) {len(edits)} messages edited for {n} answers")
    check(not sent, f"(c) {len(sent)} new messages sent instead of edits")
    check(len(acks) == n, f"(c) {len(acks)} callback queries answered for {n} answers")
    async with uow_factory() as uow:
        rows = {
            row.id: row
            for row in await uow.session.execute(
                select(
                    QuizAttempt.id,
                    QuizAttempt.answers,
                    QuizAttempt.position,
                    QuizAttempt.finished_at,
                ).where(QuizAttempt.id.in_([t.attempt_id for t in takers]))
            )
        }
    for taker in takers:
        row = rows.get(taker.attempt_id)
        check(row is not None, f"(c) attempt {taker.attempt_id} is gone")
        assert row is not None
        check(
            list(row.answers[:rounds]) == taker.chosen
            and all(a is None for a in row.answers[rounds:]),
            f"(c) attempt {taker.attempt_id} stored {row.answers}, expected {taker.chosen}",
        )
        check(row.position == rounds, f"(c) attempt {taker.attempt_id} at {row.position}")
        check(
            (row.finished_at is not None) == (rounds == length),
            f"(c) attempt {taker.attempt_id} finished_at={row.finished_at}",
        )
        shown = next(m for m in taker.chat.messages if m.message_id == taker.message_id)
        check(shown.edits >= rounds, f"(c) user {taker.chat.user_id}: {shown.edits} edits")


# --- main -------------------------------------------------------------------------------------


def machine() -> str:
    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    return (
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"SQLite {sqlite3.sqlite_version}, aiogram {aiogram.__version__}, "
        f"SQLAlchemy {sqlalchemy.__version__}\n"
        f"{platform.platform()}, {platform.machine()}, CPUs: {cpus} (usable: {usable})"
    )


async def timed_part(label: str, work: Awaitable[Result], unit: str) -> Result:
    print(f"{label} ...", flush=True)
    result = await work
    print("    " + result.line(unit))
    print(result.cpu_line(), flush=True)
    return result


@dataclass(frozen=True)
class Timed:
    """The timed work (c): `run(between)` awaits `between()` before each of its `rounds`
    rounds and after the last."""

    label: str
    unit: str
    rounds: int
    run: Callable[[Callable[[], Awaitable[None]]], Awaitable[Result]]


async def around_floor(
    args: argparse.Namespace, directory: Path, work: Timed
) -> tuple[Result, Result, Result]:
    """(c), each `between()` of it taking a chunk of (a) and of (b) (`Floor`). Returns echo,
    write, (c)."""
    floor = Floor(args, directory, work.rounds + 1)
    await floor.warm()
    print(
        f"(a) echo, N={args.echo_updates}, and (b) durable writes, N={args.writes}, in "
        f"{work.rounds + 1} chunks: before (c), between its rounds and after it",
        flush=True,
    )
    result = await timed_part(work.label, work.run(floor.sample), work.unit)
    echo, write = await floor.finish()
    for part, what in ((echo, "updates"), (write, "writes")):
        print("    " + part.line(what))
        print(part.cpu_line(), flush=True)
    return echo, write, result


async def measure(
    args: argparse.Namespace, profiler: cProfile.Profile | None
) -> tuple[Result, Result, Result]:
    """One run: (c), with (a) and (b) in chunks before, between and after its rounds."""
    with tempfile.TemporaryDirectory(prefix="bench-answer-") as tmp:
        directory = Path(tmp)
        work = Timed(
            f"(c) answers, N={args.users * args.rounds} "
            f"({args.users} users x {args.rounds} rounds, interleaved)",
            "answers",
            args.rounds,
            lambda between: bench_answers(args.users, args.rounds, directory, between, profiler),
        )
        return await around_floor(args, directory, work)


def spread(values: list[float]) -> str:
    ordered = sorted(values)
    return f"min {ordered[0]:.2f} / median {statistics.median(ordered):.2f} / max {ordered[-1]:.2f}"


async def run(args: argparse.Namespace) -> int:
    print(machine())
    print(
        "(a) and (c) time each update as Telegram delivers it: raw dict (built untimed) -> "
        "Update.model_validate -> Dispatcher.feed_update, one at a time.\n"
        "(b) is a committed single-row INSERT (uow.steps.log in `async with uow.write()`), "
        "WAL + synchronous=FULL, on one unit of work.\n"
    )
    profiler = cProfile.Profile() if args.profile else None
    ratios: list[float] = []
    for number in range(1, args.repeat + 1):
        print(f"--- run {number} of {args.repeat} ---")
        echo, write, answers = await measure(args, profiler)
        floor = 1 / (1 / echo.per_second + 1 / write.per_second)
        ratio = answers.per_second / floor
        ratios.append(ratio)
        verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
        print()
        print(echo.line("updates"))
        print(write.line("writes"))
        print(answers.line("answers"))
        print(f"floor 1/(1/a + 1/b):       {floor:10,.0f} answers/s")
        print(f"ratio (c) / floor:         {ratio:10.2f}   target >= {TARGET_RATIO}   {verdict}\n")
    held = all(r >= TARGET_RATIO for r in ratios)
    print(f"ratio over {len(ratios)} runs: {spread(ratios)}")
    print(f"target >= {TARGET_RATIO} in every run: {'yes' if held else 'NO'}")
    if profiler is not None:
        print(f"\n(c) ran under cProfile, so its figures above are inflated. Top {args.profile}:")
        for order in ("cumulative", "tottime"):
            stats = pstats.Stats(profiler, stream=sys.stdout)
            stats.sort_stats(order).print_stats(args.profile)
    return 0 if held else 2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument(
        "--rounds",
        type=int,
        default=10,
        help="questions each user answers, 1..20 (20 includes finishing and the result screen)",
    )
    parser.add_argument("--echo-updates", type=int, default=5000)
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs in this process; the spread is printed"
    )
    parser.add_argument(
        "--profile",
        type=int,
        nargs="?",
        const=25,
        default=0,
        metavar="LINES",
        help="profile the timed part of (c) and print the top LINES (25) by cumulative time",
    )
    args = parser.parse_args()
    for name in ("users", "rounds", "echo_updates", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.writes < 2:
        parser.error("--writes must be at least 2 (half is timed before (c), half after)")

    return execute(run(args))


def execute(work: Coroutine[Any, Any, int]) -> int:
    """Run a benchmark: 1 if its work was not really done or an error was logged (the bot's
    error handler logs every failed update), else its own exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    errors = ErrorCounter()
    logging.getLogger().addHandler(errors)
    try:
        code = asyncio.run(work)
    except BenchFailed as failure:
        print(f"\nBENCHMARK FAILED: {failure}", file=sys.stderr)
        return 1
    if errors.count:
        print(
            f"\nBENCHMARK FAILED: {errors.count} errors were logged, the first: {errors.first}",
            file=sys.stderr,
        )
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
