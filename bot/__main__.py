"""Entry point.

python -m bot            run the bot (long polling; needs BOT_TOKEN, MAX_BOT_TOKEN or both;
                         webhook mode instead when WEBHOOK_URL is set)
python -m bot demo       chat with the bot in this terminal, no Telegram needed
python -m bot worker     only the scheduled jobs and the outbox (an extra process; needs BOT_TOKEN)
python -m bot migrate    bring the database schema up to date and exit
python -m bot import-events FILE.csv   publish a year's plan of events (see README.md)
python -m bot backup [DEST]            back the database up (DEST: BACKUP_DIR by default)
python -m bot restore FILE --yes       replace the database with a backup (bot stopped)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from bot.backups import run_backup, run_restore
from bot.config import Settings
from bot.logs import configure_logging


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0911 - one return per command
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo", help="chat with the bot in this terminal")
    demo.add_argument(
        "--database-url",
        default="sqlite+aiosqlite:///data/demo.sqlite3",
        help="database of the demo (default: its own SQLite file, data/demo.sqlite3)",
    )
    demo.add_argument("--fresh", action="store_true", help="start from an empty demo database")
    sub.add_parser("migrate", help="apply database migrations and exit")
    sub.add_parser("worker", help="run only the scheduled jobs and the outbox, no polling")
    importing = sub.add_parser("import-events", help="publish events from a CSV file")
    importing.add_argument("file", type=Path, help="CSV: UTF-8 or Windows-1251, ; or ,")
    backing = sub.add_parser("backup", help="back the database up into a timestamped file")
    backing.add_argument(
        "dest", type=Path, nargs="?", help="folder for the backup (default: BACKUP_DIR)"
    )
    restoring = sub.add_parser("restore", help="replace the database with a backup")
    restoring.add_argument("file", type=Path, help="a file written by `python -m bot backup`")
    restoring.add_argument(
        "--yes", action="store_true", help="confirm: the bot is stopped, replace the database"
    )
    args = parser.parse_args(argv)

    settings = Settings()
    configure_logging(settings)
    # Backups need neither aiogram nor the bot's wiring, whose import takes seconds.
    if args.command == "backup":
        return asyncio.run(run_backup(settings, args.dest))
    if args.command == "restore":
        return asyncio.run(run_restore(settings, args.file, confirmed=args.yes))
    from bot.demo import run_demo  # noqa: PLC0415
    from bot.max.polling import MaxStartError  # noqa: PLC0415
    from bot.runner import run_import, run_migrations  # noqa: PLC0415

    if args.command == "demo":
        logging.getLogger().setLevel(logging.WARNING)
        return asyncio.run(run_demo(settings, args.database_url, fresh=args.fresh))
    if args.command == "migrate":
        asyncio.run(run_migrations(settings))
        return 0
    if args.command == "import-events":
        return asyncio.run(run_import(settings, args.file))
    running = _runner(args.command, settings)
    if running is None:
        return 2
    try:
        asyncio.run(running)
    except MaxStartError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


def _runner(command: str | None, settings: Settings) -> Coroutine[Any, Any, None] | None:
    """What `python -m bot [worker]` runs: the worker, webhook mode or long polling; None
    (said why) when the settings do not allow it."""
    if settings.bot_token is None and settings.max_bot_token is None:
        print(
            "BOT_TOKEN is not set. Put it in .env or the environment (see config.example.env),\n"
            "or MAX_BOT_TOKEN to run the bot in MAX (both: in both messengers),\n"
            "or try the bot without Telegram: python -m bot demo",
            file=sys.stderr,
        )
        return None
    from bot.runner import run_polling, run_webhook, run_worker  # noqa: PLC0415 - see main()

    if command == "worker":
        return run_worker(settings)
    if settings.webhook_url is None:
        return run_polling(settings)
    if settings.bot_token is None:
        print(
            "WEBHOOK_URL is set but BOT_TOKEN is not: webhook mode is Telegram's.", file=sys.stderr
        )
        return None
    return run_webhook(settings)


if __name__ == "__main__":
    sys.exit(main())
