"""How many questionnaire answers a second do webhook processes take, one and two of them, on
PostgreSQL, and how fast is each answered below saturation?

Run from the repository root:

    .venv/bin/python bench/bench_webhook.py [--users 250] [--rounds 10] [--concurrency 64]
                                            [--repeat 3] [--postgres URL]

Everything is a process of its own, as in production: the fake Bot API (bench_outbox.py's,
answering every request at once), the bot (`python -m bot` with WEBHOOK_URL set: two of them,
on two ports, both kept running), and the load generator (bench/webhook_load.py, aiohttp only),
which sends Telegram's callback-query updates with the secret header, each user's answers one
after the other (the next when the screen of the previous came back), users interleaved round
by round. The users (a 9th-grader each, consent and profile done, on the first question of the
Klimov questionnaire) are written beforehand through the services, untimed; a fresh set of
`--users` users answers `--rounds` questions in each measurement (no answer finishes it).

In each run (`--repeat`, default 3) it measures, for one process and then for two (the
generator's requests alternating between the two ports, as a reverse proxy's round robin):

  (a) saturation: `--concurrency` requests in flight at all times; answers per second;
  (b) latency at half that rate: an open loop at 0.5 x (a)'s rate; p50 / p95 / p99 of each
      answer from when it was due to be sent to its HTTP 200 (the update handled, its
      transaction committed, the screen edited and the button answered);
  and the Bot API calls per update (counted by the fake), and where the CPU went during (a):
  each bot process, the PostgreSQL backends serving them, the fake Bot API, the generator, and
  whatever else ran on the machine meanwhile (other people's work: it is shared).

Target: two processes' (a) >= 1.5 x one process's, in every run. Checked after each
measurement: every request got 200, every answer is stored in its user's attempt (the option
sent, at its question), the fake got one editMessageText and one answerCallbackQuery per answer,
and the bots logged no error. Exits 1 if the work was not really done, 2 if the target is
missed in any run.

PostgreSQL: `--postgres URL` (default: $TEST_DATABASE_URL, else the local server at
127.0.0.1:5432); a database of the benchmark's own is made there and dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from bench.bench_answer import check, execute, machine, spread  # noqa: E402
from bench.bench_outbox import DEFAULT_POSTGRES, HttpTelegram, postgres_database  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.factory import App, create_app  # noqa: E402
from db.calendar import Moment  # noqa: E402
from db.models import QuizAttempt  # noqa: E402
from quizzes import Questionnaire  # noqa: E402
from services import profile, quiz  # noqa: E402
from services.quiz import interest_quiz  # noqa: E402

SCALING_TARGET = 1.5
SECRET = "bench-webhook-secret"
TOKEN = "123456:BENCH-webhook-token"
FIRST_USER_ID = 900_000_001
LOAD = ROOT / "bench" / "webhook_load.py"
START_LIMIT = 120.0
CLOCK_TICK = os.sysconf("SC_CLK_TCK")


# --- CPU accounting from /proc -------------------------------------------------------------------


def _stat(pid: int | str) -> list[str] | None:
    """The fields of /proc/PID/stat after the command's name (the first is the state)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far; 0 if it is gone."""
    fields = _stat(pid)
    return 0.0 if fields is None else (int(fields[11]) + int(fields[12])) / CLOCK_TICK


def postgres_cpu() -> float:
    """CPU seconds the local PostgreSQL server has used so far: the postmaster with its exited
    children (backends come and go as the bots' pools open connections) and the live ones.
    The whole server: other sessions' work on it counts too. 0 if it does not run here."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                name = (entry / "comm").read_text().strip()
            except OSError:
                continue
            fields = _stat(entry.name) if name == "postgres" else None
            if fields is not None:
                parents[int(entry.name)] = int(fields[1])
    total = 0.0
    for pid, parent in parents.items():
        fields = _stat(pid)
        if fields is None:
            continue
        total += int(fields[11]) + int(fields[12])
        if parent not in parents:  # the postmaster: add its reaped children
            total += int(fields[13]) + int(fields[14])
    return total / CLOCK_TICK


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, over all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return (total - idle) / CLOCK_TICK, total / CLOCK_TICK


@dataclass
class CpuWindow:
    """CPU used by each group of processes between `start()` and `stop()`."""

    groups: dict[str, list[int]]
    used: dict[str, float] = field(default_factory=dict)
    machine_busy: float = 0.0
    seconds: float = 0.0
    _at: dict[str, float] = field(default_factory=dict)
    _machine: tuple[float, float] = (0.0, 0.0)
    _t: float = 0.0

    def _now(self) -> dict[str, float]:
        at = {name: sum(map(process_cpu, pids)) for name, pids in self.groups.items()}
        return at | {"PostgreSQL": postgres_cpu()}

    def start(self) -> None:
        self._at = self._now()
        self._machine = machine_cpu()
        self._t = time.perf_counter()

    def stop(self) -> None:
        self.seconds = time.perf_counter() - self._t
        now = self._now()
        self.used = {name: now[name] - self._at[name] for name in now}
        self.machine_busy = machine_cpu()[0] - self._machine[0]

    def line(self, generator_cpu: float, answers: int) -> str:
        used = dict(self.used) | {"generator": generator_cpu}
        ours = sum(used.values())
        parts = ", ".join(f"{name} {value / self.seconds:.2f}" for name, value in used.items())
        others = max(0.0, self.machine_busy - ours) / self.seconds
        bots = sum(value for name, value in used.items() if name.startswith("bot"))
        per_answer = (
            f"CPU per answer: bots {bots / answers * 1000:.1f} ms, PostgreSQL "
            f"{used['PostgreSQL'] / answers * 1000:.1f} ms, all of it "
            f"{ours / answers * 1000:.1f} ms"
        )
        return (
            f"CPU in cores: {parts}; everything else on the machine {others:.2f} "
            f"(machine busy {self.machine_busy / self.seconds:.2f} of {os.cpu_count()})\n"
            f"      {per_answer}"
        )


# --- the bot processes ---------------------------------------------------------------------------


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    port: int
    log: Path

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    def errors(self) -> list[str]:
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return [line for line in lines if " ERROR " in line or "Traceback" in line]


def free_port() -> int:
    import socket  # noqa: PLC0415 - only here

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def start_bot(name: str, database_url: str, api_url: str, workdir: Path) -> BotProcess:
    settings = {n.upper() for n in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in settings} | {
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api_url,
        "DATABASE_URL": database_url,
        "WEBHOOK_URL": "https://bench.example.org/webhook",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_PORT": str(free_port()),
        "QUIZ_REMINDER_HOURS": "0",
        "LOG_LEVEL": "INFO",
    }
    port = int(env["WEBHOOK_PORT"])
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=workdir,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )
    bot = BotProcess(process, port, log)
    deadline = time.monotonic() + START_LIMIT
    async with aiohttp.ClientSession() as http:
        while True:
            check(process.returncode is None, f"{name} exited at start: {bot.errors()[-5:]}")
            check(time.monotonic() < deadline, f"{name} did not start in {START_LIMIT} s")
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200 and "webhook of @" in log.read_text("utf-8"):
                        return bot
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)


async def stop_bot(bot: BotProcess) -> None:
    if bot.process.returncode is not None:
        return
    bot.process.terminate()
    try:
        await asyncio.wait_for(bot.process.wait(), 30)
    except TimeoutError:
        bot.process.kill()
        await bot.process.wait()


# --- the users -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Taker:
    user_id: int
    attempt_id: int
    message_id: int


async def add_takers(app: App, first_id: int, n: int) -> list[Taker]:
    """`n` 9th-graders of Школа № 1 with consent, each on question 1 of the questionnaire:
    written through the services, as the bot would write them (untimed)."""
    klimov = interest_quiz(app.quizzes)
    version = app.texts("consent-version")
    async with app.uow_factory() as uow:
        schools = await profile.organisations_for(uow, "student")
    school = next(o for o in schools if o.code == "school-1")

    async def one(user_id: int) -> Taker:
        now = app.clock()
        async with app.uow_factory() as uow:
            await profile.give_consent(uow, user_id, version, now)
            await profile.choose_role(uow, user_id, "student", now)
            await profile.choose_organisation(uow, user_id, school.id, now)
            moment = Moment(now, app.texts.tz)
            await profile.choose_grade(uow, app.catalogue, user_id, 9, moment)
            state = await quiz.start(uow, klimov, user_id, now)
        return Taker(user_id, state.attempt.id, 10 + user_id % 1000)

    takers: list[Taker] = []
    for start in range(first_id, first_id + n, 20):
        batch = range(start, min(first_id + n, start + 20))
        takers.extend(await asyncio.gather(*(one(u) for u in batch)))
    return takers


def chosen_keys(klimov: Questionnaire, user_index: int, rounds: int) -> list[str]:
    """The option each user picks at each question (varied, as people do)."""
    keys = []
    for r in range(rounds):
        options = klimov.questions[r].options
        keys.append(options[(user_index + r) % len(options)].key)
    return keys


async def verify(app: App, takers: Sequence[Taker], keys: dict[int, list[str]]) -> None:
    async with app.uow_factory() as uow:
        rows = await uow.session.execute(
            select(QuizAttempt.id, QuizAttempt.answers, QuizAttempt.position).where(
                QuizAttempt.id.in_([t.attempt_id for t in takers])
            )
        )
        stored = {row.id: (row.answers, row.position) for row in rows}
    for taker in takers:
        answers, position = stored[taker.attempt_id]
        wanted = keys[taker.user_id]
        check(
            answers[: len(wanted)] == wanted and position == len(wanted),
            f"user {taker.user_id}: stored {answers[: len(wanted)]} at {position}, sent {wanted}",
        )


# --- one measurement -----------------------------------------------------------------------------


@dataclass
class Measured:
    answers: int
    seconds: float
    latencies: list[float]
    calls_per_update: float
    cpu: str

    @property
    def rate(self) -> float:
        return self.answers / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


@dataclass
class Bench:
    app: App
    fake: HttpTelegram
    bots: list[BotProcess]
    args: argparse.Namespace
    workdir: Path
    next_user: int = FIRST_USER_ID
    next_update: int = 1

    async def measure(self, bots: Sequence[BotProcess], mode: str, rate: float = 0.0) -> Measured:
        klimov = interest_quiz(self.app.quizzes)
        takers = await add_takers(self.app, self.next_user, self.args.users)
        self.next_user += self.args.users
        keys = {t.user_id: chosen_keys(klimov, i, self.args.rounds) for i, t in enumerate(takers)}
        job = {
            "targets": [b.webhook for b in bots],
            "secret": SECRET,
            "mode": mode,
            "rate": rate,
            "concurrency": self.args.concurrency,
            "rounds": self.args.rounds,
            "quiz": klimov.id,
            "first_update_id": self.next_update,
            "users": [
                {
                    "id": t.user_id,
                    "attempt": t.attempt_id,
                    "message_id": t.message_id,
                    "first": 0,
                    "keys": keys[t.user_id],
                }
                for t in takers
            ],
        }
        self.next_update += len(takers) * self.args.rounds
        path = self.workdir / "job.json"
        path.write_text(json.dumps(job), encoding="utf-8")
        window = CpuWindow(
            {
                **{f"bot {i + 1}": [b.process.pid] for i, b in enumerate(bots)},
                "fake API": [self.fake.process.pid] if self.fake.process else [],
            }
        )
        await self.fake.reset(0)
        sessions = await self.sessions()
        generator = await asyncio.create_subprocess_exec(
            sys.executable, str(LOAD), str(path), stdout=asyncio.subprocess.PIPE
        )
        window.start()
        out, _ = await generator.communicate()
        window.stop()
        check(generator.returncode == 0, f"the load generator exited {generator.returncode}")
        await asyncio.sleep(1.0)  # PostgreSQL publishes its counters within a second
        opened = await self.sessions() - sessions
        result = json.loads(out)
        n = result["answers"]
        check(result["statuses"] == {"200": n}, f"answers not all 200: {result['statuses']}")
        received = await self.fake.received()
        for method in ("editMessageText", "answerCallbackQuery"):
            check(
                received.methods[method] == n,
                f"{method}: {received.methods[method]} for {n} answers",
            )
        await verify(self.app, takers, keys)
        for bot in self.bots:
            check(not bot.errors(), f"a bot logged errors: {bot.errors()[:3]}")
        return Measured(
            n,
            result["seconds"],
            result["latencies"],
            sum(received.methods.values()) / n,
            window.line(result["cpu"], n) + f"; {opened} PostgreSQL connections opened",
        )

    async def sessions(self) -> int:
        """Connections PostgreSQL has opened to the benchmark's database so far."""
        async with self.app.engine.connect() as connection:
            query = "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
            return int(await connection.scalar(text(query)) or 0)


def report(label: str, saturated: Measured, half: Measured) -> None:
    print(
        f"  {label}: (a) {saturated.rate:7.1f} answers/s at saturation "
        f"({saturated.answers} in {saturated.seconds:.1f} s); "
        f"{saturated.calls_per_update:.2f} Bot API calls per update"
    )
    print(f"      {saturated.cpu}")
    print(
        f"      (b) at {half.rate:.1f}/s: p50 {half.percentile(0.50):.1f} ms, "
        f"p95 {half.percentile(0.95):.1f} ms, p99 {half.percentile(0.99):.1f} ms "
        f"(mean {statistics.fmean(half.latencies) * 1000:.1f} ms)",
        flush=True,
    )


async def run(args: argparse.Namespace) -> int:
    print(machine())
    print(
        f"{args.users} users x {args.rounds} answers per measurement, {args.concurrency} in "
        "flight at saturation; bots, PostgreSQL, the fake Bot API and the generator share "
        "this machine.\n",
        flush=True,
    )
    fake = HttpTelegram(0)
    await fake.start()
    ratios: list[float] = []
    rows: list[tuple[float, float, float, float, float, float, float, float]] = []
    bots: list[BotProcess] = []
    try:
        async with postgres_database(args.postgres) as database:
            check(database is not None, "the benchmark needs PostgreSQL (--postgres URL)")
            assert database is not None
            settings = Settings(_env_file=None, database_url=database.url, bot_token=None)
            app = await create_app(settings)  # migrates, before the bots start
            with tempfile.TemporaryDirectory(prefix="bench-webhook-") as directory:
                workdir = Path(directory)
                try:
                    bots = list(
                        await asyncio.gather(
                            start_bot("bot1", database.url, fake.url, workdir),
                            start_bot("bot2", database.url, fake.url, workdir),
                        )
                    )
                    bench = Bench(app, fake, bots, args, workdir)
                    print("warming up both processes (untimed) ...", flush=True)
                    await bench.measure(bots, "saturate")
                    for number in range(1, args.repeat + 1):
                        print(f"--- run {number} of {args.repeat} ---", flush=True)
                        one = await bench.measure(bots[:1], "saturate")
                        one_half = await bench.measure(bots[:1], "rate", one.rate / 2)
                        report("one process ", one, one_half)
                        two = await bench.measure(bots, "saturate")
                        two_half = await bench.measure(bots, "rate", two.rate / 2)
                        report("two processes", two, two_half)
                        ratio = two.rate / one.rate
                        ratios.append(ratio)
                        print(
                            f"  two / one = {ratio:.2f} (target >= {SCALING_TARGET})",
                            flush=True,
                        )
                        rows.append(
                            (
                                one.rate,
                                one_half.percentile(0.5),
                                one_half.percentile(0.95),
                                one_half.percentile(0.99),
                                two.rate,
                                two_half.percentile(0.5),
                                two_half.percentile(0.95),
                                two_half.percentile(0.99),
                            )
                        )
                finally:
                    await asyncio.gather(*(stop_bot(b) for b in bots))
                    await app.close()
    finally:
        await fake.stop()
    print("\nrun | one: answers/s, p50/p95/p99 ms | two: answers/s, p50/p95/p99 ms | two/one")
    for i, (row, ratio) in enumerate(zip(rows, ratios, strict=True), 1):
        print(
            f"{i} | {row[0]:.0f}, {row[1]:.1f}/{row[2]:.1f}/{row[3]:.1f} | "
            f"{row[4]:.0f}, {row[5]:.1f}/{row[6]:.1f}/{row[7]:.1f} | {ratio:.2f}"
        )
    print(f"two / one over {len(ratios)} runs: {spread(ratios)}")
    held = all(r >= SCALING_TARGET for r in ratios)
    print("target met in every run" if held else f"target {SCALING_TARGET} missed", flush=True)
    return 0 if held else 2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=250)
    parser.add_argument("--rounds", type=int, default=10, help="answers per user, 1..19")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--postgres", default=os.environ.get("TEST_DATABASE_URL") or DEFAULT_POSTGRES
    )
    args = parser.parse_args()
    if not 1 <= args.rounds <= 19:
        parser.error("--rounds must be 1..19 (the 20th answer finishes the questionnaire)")
    for name in ("users", "concurrency", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return execute(run(args))


if __name__ == "__main__":
    sys.exit(main())
