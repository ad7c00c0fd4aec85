"""The backup and restore commands (`python -m bot backup`, `python -m bot restore`); the work
is db/backup.py's."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import Settings
from db import backup as backups
from db import migrate
from db.engine import create_engine


async def run_backup(settings: Settings, folder: Path | None) -> int:
    """Back the database up into `folder` (BACKUP_DIR by default), keeping BACKUP_KEEP backups.
    Prints the file written; exit code 1 (and the reason) if no backup was made."""
    target = folder or settings.backup_dir
    try:
        made = await backups.backup(settings.database_url, target, keep=settings.backup_keep)
    except (backups.BackupError, OSError) as error:
        print(f"backup failed: {error}", file=sys.stderr)  # noqa: T201 - the command's output
        return 1
    print(f"{made.path} ({made.size} bytes)")  # noqa: T201
    for path in made.removed:
        print(f"removed the older {path}")  # noqa: T201
    return 0


async def run_restore(settings: Settings, file: Path, *, confirmed: bool) -> int:
    """Replace the database with the backup `file`, then migrate it to the current schema.
    The bot must be stopped; without `confirmed` only says what it would do."""
    where = _where(settings.database_url)
    if not confirmed:
        print(  # noqa: T201
            f"This replaces everything in {where} with {file}.\n"
            "Stop the bot (every process) first, then run again with --yes.",
            file=sys.stderr,
        )
        return 2
    try:
        saved = await backups.restore(settings.database_url, file)
    except (backups.BackupError, OSError) as error:
        print(f"restore failed: {error}", file=sys.stderr)  # noqa: T201
        return 1
    if saved is not None:
        print(f"the database as it was before is saved as {saved}")  # noqa: T201
    engine = create_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()
    print(f"restored {file} into {where}; migrations applied")  # noqa: T201
    return 0


def _where(database_url: str) -> str:
    if backups.is_sqlite(database_url):
        return str(backups.sqlite_path(database_url))
    return make_url(database_url).render_as_string(hide_password=True)
