"""Backups (`python -m bot backup`, db/backup.py) taken while the bot writes, and restored.

Students register and answer the questionnaire through the real dispatcher while the operator's
command runs in its own process; the backup is restored with `python -m bot restore` into a
fresh database, and every answer the bot had committed before the backup began is in it — and
nothing that was only tapped after the backup had finished. Then the bot runs on the restore.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from bot.backups import run_restore
from bot.config import Settings
from bot.factory import App, create_app, create_bot, create_dispatcher
from bot.local_session import LocalTelegram
from db import backup as backups
from db.migrate import alembic_config
from db.models import QuizAttempt, Step, StepKind, User
from tests.conftest import (
    KLIMOV_TITLE,
    POSTGRES_URL,
    TEXTS,
    FakeClock,
    World,
    _admin,
    register,
    result_head,
    settings_for_tests,
)

ROOT = Path(__file__).resolve().parents[1]
START = TEXTS("btn-quiz-start", title=KLIMOV_TITLE)
QUESTIONS = 20
#: Students writing at once; each retakes the questionnaire until told to stop.
WRITERS = 10


@dataclass
class Ledger:
    """What the bot acknowledged, with when: a tap's handler has returned only after its
    transaction committed, so "done before the backup began" means "committed before"."""

    #: user -> when their registration (the grade, the last tap) was done.
    registered: dict[int, float] = field(default_factory=dict)
    #: user -> the times each answer tap started and was done, in order (across retakes).
    answers: dict[int, list[tuple[float, float]]] = field(default_factory=dict)
    #: user -> when their first tap (/start) started.
    first_tap: dict[int, float] = field(default_factory=dict)

    def done_before(self, user: int, moment: float) -> int:
        return sum(1 for _, done in self.answers.get(user, []) if done < moment)

    def started_before(self, user: int, moment: float) -> int:
        return sum(1 for began, _ in self.answers.get(user, []) if began < moment)


async def student(
    world: World,
    user: int,
    ledger: Ledger,
    stop: asyncio.Event,
    ready: tuple[asyncio.Event, int],
) -> None:
    """Register, then take the questionnaire again and again (at most 6 times) until `stop`;
    `ready` is (an event, a number of answers): the event is set once that many are done."""
    chat = world.user(user, f"Ученик {user}")
    ledger.first_tap[user] = time.monotonic()
    await register(chat)
    ledger.registered[user] = time.monotonic()
    taps = ledger.answers.setdefault(user, [])
    for _ in range(6):
        await chat.click(START)
        await chat.click(TEXTS("btn-quiz-begin"))
        for number in range(QUESTIONS):
            began = time.monotonic()
            await chat.click("АБ"[(user + number) % 2])
            taps.append((began, time.monotonic()))
            if len(taps) >= ready[1]:
                ready[0].set()
            if stop.is_set():
                return
        await chat.click(TEXTS("btn-menu"))


def child_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of `python -m bot …`: the test's database, no inherited settings."""
    names = {name.upper() for name in Settings.model_fields}
    inherited = {k: v for k, v in os.environ.items() if k.upper() not in names}
    return inherited | {"PYTHONPATH": str(ROOT), "DATABASE_URL": database_url, **settings}


async def command(cwd: Path, env: dict[str, str], *args: str) -> str:
    """Run `python -m bot ARGS` as the operator (or the systemd timer) would; its output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,  # no .env there
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()
    return output.decode()


@pytest.fixture
async def fresh_url(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of the same backend to restore into (PostgreSQL: a new database made
    beside the test's own, dropped afterwards)."""
    if backups.is_sqlite(database_url):
        yield f"sqlite+aiosqlite:///{tmp_path / 'restored' / 'bot.sqlite3'}"
        return
    assert POSTGRES_URL is not None
    name = f"{make_url(database_url).database}_restored"
    await _admin(POSTGRES_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await _admin(POSTGRES_URL, f"CREATE DATABASE {name}")
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    await _admin(POSTGRES_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@dataclass(frozen=True)
class Restored:
    users: dict[int, User]
    answers: dict[int, int]  # answers given, over all attempts
    finished: dict[int, int]  # finished attempts with their scores
    steps: dict[int, int]  # quiz_finished steps naming one of the user's finished attempts
    revision: str | None


async def read_restored(app: App) -> Restored:
    async with app.uow_factory() as uow:
        users = {u.id: u for u in await uow.session.scalars(select(User))}
        attempts = list(await uow.session.scalars(select(QuizAttempt)))
        finished_ids = {
            f"attempt:{a.id}"
            for a in attempts
            if a.finished_at is not None and a.scores is not None and a.position == QUESTIONS
        }
        steps = list(
            await uow.session.scalars(select(Step).where(Step.kind == StepKind.QUIZ_FINISHED))
        )
        revision = await uow.session.scalar(text("SELECT version_num FROM alembic_version"))
    answers: dict[int, int] = {}
    finished: dict[int, int] = {}
    for attempt in attempts:
        answers[attempt.user_id] = answers.get(attempt.user_id, 0) + sum(
            1 for a in attempt.answers if a is not None
        )
        if f"attempt:{attempt.id}" in finished_ids:
            finished[attempt.user_id] = finished.get(attempt.user_id, 0) + 1
    by_user: dict[int, int] = {}
    for step in steps:
        if step.ref in finished_ids and step.user_id is not None:
            by_user[step.user_id] = by_user.get(step.user_id, 0) + 1
    return Restored(users, answers, finished, by_user, revision)


async def test_a_backup_taken_while_the_bot_writes_restores_every_committed_answer(
    world: World, database_url: str, fresh_url: str, tmp_path: Path
) -> None:
    ledger, stop, ready = Ledger(), asyncio.Event(), asyncio.Event()
    writers = [
        asyncio.create_task(student(world, 7000 + i, ledger, stop, (ready, QUESTIONS + 5)))
        for i in range(WRITERS)
    ]
    # Until the bot has done a good part of its work: a questionnaire finished, others under way.
    await ready.wait()
    folder = tmp_path / "backups"
    began = time.monotonic()
    output = await command(tmp_path, child_env(database_url), "backup", str(folder))
    ended = time.monotonic()
    # Students who come after the backup: none of them may be in it.
    late_ready = asyncio.Event()
    late = [
        asyncio.create_task(student(world, 8000 + i, ledger, stop, (late_ready, 1)))
        for i in range(2)
    ]
    await late_ready.wait()  # a late student has answered
    stop.set()
    await asyncio.gather(*writers, *late)

    [made] = backups.backups_in(folder)
    assert str(made) in output
    during = sum(1 for taps in ledger.answers.values() for _, done in taps if began < done < ended)
    assert during > 0, "the bot wrote nothing while the backup ran: the test proves nothing"

    await command(tmp_path, child_env(fresh_url), "restore", str(made), "--yes")
    restored_clock = FakeClock(world.clock.now)
    app = await create_app(settings_for_tests(fresh_url), clock=restored_clock)
    try:
        restored = await read_restored(app)
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert restored.revision == head
        for user in range(7000, 7000 + WRITERS):
            if ledger.registered[user] < began:
                stored = restored.users[user]
                assert (stored.role, stored.grade) == ("student", 9)
            committed = ledger.done_before(user, began)
            tapped = ledger.started_before(user, ended)
            assert committed <= restored.answers.get(user, 0) <= tapped, user
            # Whole transactions only: a finished attempt has its scores and its step.
            assert restored.finished.get(user, 0) == restored.answers.get(user, 0) // QUESTIONS
            assert restored.steps.get(user, 0) == restored.finished.get(user, 0)
        for user in (8000, 8001):
            assert ledger.first_tap[user] > ended
            assert user not in restored.users
            assert user not in restored.answers

        # The bot runs on the restore: a student reads their results, a newcomer starts.
        telegram = LocalTelegram()
        bot = create_bot(app.settings, session=telegram)
        again = World(app, create_dispatcher(app), bot, telegram, restored_clock)
        # A student who had finished a questionnaire before the backup began.
        reader = next(u for u in ledger.answers if ledger.done_before(u, began) >= QUESTIONS)
        assert restored.finished[reader] >= 1
        chat = again.user(reader)
        await chat.send("/results")
        items = [label for label, _ in chat.last.buttons if ":" in label]
        assert len(items) == restored.finished[reader]
        await chat.click(items[0])
        assert result_head(restored_clock.now) in chat.last.text
        newcomer = again.user(9000, "Новичок")
        await register(newcomer)
        await newcomer.click(START)
        await newcomer.click(TEXTS("btn-quiz-begin"))
        await newcomer.click("А")
        assert (await read_restored(app)).answers[9000] == 1
    finally:
        await app.close()


async def test_restoring_over_the_database_brings_back_the_moment_of_the_backup(
    world: World, database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = world.user(6001)
    await register(first)
    made = await backups.backup(database_url, tmp_path / "b", keep=3)
    second = world.user(6002)
    await register(second)
    await world.app.close()  # the bot is stopped for a restore

    # Without --yes the command only says what it would do.
    assert await run_restore(world.app.settings, made.path, confirmed=False) == 2
    assert "--yes" in capsys.readouterr().err
    app = await create_app(settings_for_tests(database_url), clock=world.clock)
    try:
        assert set((await read_restored(app)).users) == {6001, 6002}
    finally:
        await app.close()

    saved = await backups.restore(database_url, made.path)
    app = await create_app(settings_for_tests(database_url), clock=world.clock)
    try:
        users = set((await read_restored(app)).users)
    finally:
        await app.close()
    assert users == {6001}
    if backups.is_sqlite(database_url):
        # The database as it was before the restore is kept beside it, 6002 and all.
        assert saved is not None
        with sqlite3.connect(saved) as before:
            assert {r[0] for r in before.execute("SELECT id FROM users")} == {6001, 6002}
    else:
        assert saved is None


async def test_only_the_newest_backups_are_kept(
    world: World, database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "notes.txt").write_text("the operator's own file")
    start = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
    made = [
        await backups.backup(database_url, folder, keep=2, now=start + timedelta(days=day))
        for day in range(4)
    ]
    assert backups.backups_in(folder) == [made[2].path, made[3].path]
    assert made[3].removed == (made[1].path,)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["notes.txt", made[2].path.name, made[3].path.name]
    )
    suffix = ".sqlite3" if backups.is_sqlite(database_url) else ".dump"
    assert made[3].path.name == f"profnavigator-20261104T030000Z{suffix}"
    assert made[3].size > 0
    with pytest.raises(backups.BackupError, match="already exists"):
        await backups.backup(database_url, folder, keep=2, now=start + timedelta(days=3))


async def test_a_failed_backup_says_why_and_leaves_nothing_behind(
    world: World, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "backups"
    if backups.is_sqlite(database_url):
        missing = f"sqlite+aiosqlite:///{tmp_path / 'nowhere.sqlite3'}"
        with pytest.raises(backups.BackupError, match="no database at"):
            await backups.backup(missing, folder, keep=2)
        assert not (tmp_path / "nowhere.sqlite3").exists()  # not created by the attempt
    else:
        monkeypatch.setenv("PATH", str(tmp_path))
        with pytest.raises(backups.BackupError, match="pg_dump is not on PATH"):
            await backups.backup(database_url, folder, keep=2)
    assert list(folder.iterdir()) == []


def test_the_password_goes_to_pg_dump_in_its_environment_not_its_arguments() -> None:
    url = "postgresql+asyncpg://bot:s3cr%40t@db.internal:6432/profnavigator?ssl=require"
    command_line = backups.pg_connection(url)
    assert command_line.args == (
        "--host=db.internal",
        "--port=6432",
        "--username=bot",
        "--dbname=profnavigator",
    )
    assert command_line.env == {"PGPASSWORD": "s3cr@t", "PGSSLMODE": "require"}
    assert not any("s3cr" in arg for arg in command_line.args)
    local = backups.pg_connection("postgresql+asyncpg:///profnavigator?host=/run/postgresql")
    assert local.args == ("--host=/run/postgresql", "--dbname=profnavigator")
    assert local.env == {}
