"""Backups of the database, and restoring one (`python -m bot backup`, `python -m bot restore`).

SQLite: SQLite's online backup API (`sqlite3.Connection.backup`) copies the database page by
page inside one read transaction, so the copy is the database as it was at one moment, the
committed rows still in the write-ahead log included, while the bot goes on writing (WAL mode:
a reader does not block writers). It runs in a thread, off the event loop. A plain file copy
would miss what is in the `-wal` file and could catch a page half-written.

PostgreSQL: `pg_dump --format=custom` (found on PATH), which also reads one snapshot. The
connection comes from DATABASE_URL; the password goes to pg_dump in the PGPASSWORD variable,
never on the command line (which every user of the machine can read in the process list).

A backup is written under a temporary name and renamed when complete, so a half-written file is
never mistaken for a backup; then only the newest `keep` backups in the folder are kept (files
named by this module only: anything else in the folder is left alone).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

PREFIX = "profnavigator-"
SQLITE_SUFFIX = ".sqlite3"
POSTGRES_SUFFIX = ".dump"
STAMP = "%Y%m%dT%H%M%SZ"
#: The file names this module writes (and the only ones it ever deletes).
BACKUP_NAME = re.compile(
    rf"^{re.escape(PREFIX)}(\d{{8}}T\d{{6}}Z)({re.escape(SQLITE_SUFFIX)}|{re.escape(POSTGRES_SUFFIX)})$"
)
PARTIAL = ".partial"


class BackupError(Exception):
    """The backup or the restore could not be made; the message says why, for the operator."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    removed: tuple[Path, ...]


@dataclass(frozen=True)
class PgCommand:
    """Connection arguments for pg_dump / pg_restore and the environment that carries the
    password (never an argument)."""

    args: tuple[str, ...]
    env: dict[str, str]


def is_sqlite(database_url: str) -> bool:
    return make_url(database_url).get_backend_name() == "sqlite"


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if not url.database or url.database == ":memory:":
        raise BackupError(f"{database_url!r} is not a database file")
    return Path(url.database)


def pg_connection(database_url: str) -> PgCommand:
    """The libpq arguments for DATABASE_URL (`postgresql+asyncpg://user:pass@host:port/db`).
    The password, if any, is in `env` as PGPASSWORD; `?ssl=` / `?sslmode=` become PGSSLMODE."""
    url: URL = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise BackupError(f"not a PostgreSQL URL: {url.render_as_string(hide_password=True)}")
    if not url.database:
        raise BackupError("DATABASE_URL names no database")
    args: list[str] = []
    host = url.host or _query(url, "host")
    if host:
        args.append(f"--host={host}")
    if url.port:
        args.append(f"--port={url.port}")
    if url.username:
        args.append(f"--username={url.username}")
    args.append(f"--dbname={url.database}")
    env: dict[str, str] = {}
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    sslmode = _query(url, "sslmode") or _query(url, "ssl")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return PgCommand(tuple(args), env)


def _query(url: URL, name: str) -> str | None:
    value = url.query.get(name)
    if isinstance(value, tuple):
        value = value[-1] if value else None
    return value


def backup_name(now: datetime, database_url: str) -> str:
    suffix = SQLITE_SUFFIX if is_sqlite(database_url) else POSTGRES_SUFFIX
    return f"{PREFIX}{now.astimezone(UTC).strftime(STAMP)}{suffix}"


def backups_in(folder: Path) -> list[Path]:
    """The backups this module wrote in `folder`, oldest first."""
    if not folder.is_dir():
        return []
    found = [(match[1], p) for p in folder.iterdir() if (match := BACKUP_NAME.match(p.name))]
    return [path for _, path in sorted(found)]


async def backup(
    database_url: str, folder: Path, *, keep: int, now: datetime | None = None
) -> Backup:
    """Back the database up into `folder` under a timestamped name; keep the newest `keep`."""
    if keep < 1:
        raise BackupError("keep at least one backup")
    moment = now or datetime.now(UTC)
    target = folder / backup_name(moment, database_url)
    partial = target.with_name(target.name + PARTIAL)
    await asyncio.to_thread(_make_room, target)
    try:
        if is_sqlite(database_url):
            await asyncio.to_thread(_sqlite_backup, sqlite_path(database_url), partial)
        else:
            await _pg_dump(database_url, partial)
        return await asyncio.to_thread(_finish, partial, target, keep)
    finally:
        await asyncio.to_thread(partial.unlink, missing_ok=True)


def _make_room(target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise BackupError(f"{target} already exists (one backup a second at most)")


def _finish(partial: Path, target: Path, keep: int) -> Backup:
    """The complete backup under its own name; then the older ones beyond `keep` go."""
    partial.replace(target)
    removed = prune(target.parent, keep)
    return Backup(target, target.stat().st_size, tuple(removed))


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups of each kind; return what was deleted."""
    removed: list[Path] = []
    for suffix in (SQLITE_SUFFIX, POSTGRES_SUFFIX):
        kind = [p for p in backups_in(folder) if p.name.endswith(suffix)]
        for path in kind[: max(len(kind) - keep, 0)]:
            path.unlink()
            removed.append(path)
    return removed


def _sqlite_backup(source: Path, target: Path, *, ours: bool = True) -> None:
    """Copy `source` into `target`; `ours`: check that it is this bot's database."""
    if not source.exists():
        raise BackupError(f"no database at {source}")
    # Read-only: a backup must never create or change the database it copies.
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            # pages=-1: the whole database in one step, i.e. in one read transaction: one
            # consistent moment. (Copying in several steps restarts whenever the bot writes.)
            src.backup(dst, pages=-1)
            _check_sqlite(dst, target, ours=ours)
        finally:
            dst.close()
    finally:
        src.close()


def _check_sqlite(connection: sqlite3.Connection, path: Path, *, ours: bool = True) -> None:
    result = connection.execute("PRAGMA quick_check").fetchone()
    if result is None or result[0] != "ok":
        raise BackupError(f"{path} fails SQLite's check: {result}")
    if not ours:
        return
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    if "alembic_version" not in tables:
        raise BackupError(f"{path} is not a database of this bot (no alembic_version table)")


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not on PATH: install the PostgreSQL client "
            f"(Debian/Ubuntu: postgresql-client) of the server's major version or newer"
        )
    return found


async def _run(program: str, args: Sequence[str], env: dict[str, str]) -> None:
    process = await asyncio.create_subprocess_exec(
        _program(program),
        *args,
        env={**os.environ, **env},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await process.communicate()
    if process.returncode != 0:
        message = stderr.decode(errors="replace").strip()
        raise BackupError(f"{program} failed (exit code {process.returncode}): {message}")


async def _pg_dump(database_url: str, target: Path) -> None:
    connection = pg_connection(database_url)
    await _run("pg_dump", ["--format=custom", f"--file={target}", *connection.args], connection.env)


async def restore(database_url: str, file: Path, *, now: datetime | None = None) -> Path | None:
    """Put the backup `file` in place of the database DATABASE_URL names. Stop the bot first.

    SQLite: the current database (if any) is first saved beside it as
    `<name>.before-restore-<time>` (its path is returned), then the backup is copied into it
    through SQLite, so a write-ahead log left beside the file cannot mix with the restored pages.
    PostgreSQL: `pg_restore --clean --if-exists --no-owner --single-transaction`: the tables are
    dropped and recreated from the backup in one transaction (all or nothing).
    """
    if not await asyncio.to_thread(file.is_file):
        raise BackupError(f"no backup at {file}")
    if is_sqlite(database_url):
        return await asyncio.to_thread(
            _sqlite_restore, file, sqlite_path(database_url), now or datetime.now(UTC)
        )
    connection = pg_connection(database_url)
    await _run(
        "pg_restore",
        [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            *connection.args,
            str(file),
        ],
        connection.env,
    )
    return None


def _sqlite_restore(file: Path, database: Path, now: datetime) -> Path | None:
    src = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
    try:
        _check_sqlite(src, file)
        saved: Path | None = None
        if database.exists():
            saved = database.with_name(
                f"{database.name}.before-restore-{now.astimezone(UTC).strftime(STAMP)}"
            )
            _sqlite_backup(database, saved, ours=False)
        database.parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(database)
        try:
            src.backup(dst, pages=-1)
            _check_sqlite(dst, database)
        finally:
            dst.close()
        return saved
    finally:
        src.close()
