"""The files earlier versions kept the rejected updates in, moved into the table.

Before the table `rejected_updates` (migration 0013), an update the bot could not read was
appended, with its sender's name and message, to `data/rejected_updates.jsonl` (Telegram) or
`data/rejected_max_updates.jsonl` (MAX) in the working directory, one JSON object a line
(`rejected_at`, `update_id`, `errors`, `update`). Left there, they would be kept for ever and
out of reach of /forget and /mydata, against what the consent says. At start, each line becomes
a row of the table with its sender and its original time (so the hourly job deletes it
`REJECTED_UPDATES_KEEP_DAYS` after it was set aside, and /forget erases it), and the file is
removed. A file's lines go in in one transaction: if the database refuses one, none is in, the
file stays and the next start tries again.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.max.polling import max_sender
from bot.polling import telegram_sender
from bot.rejected import column_int
from db.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

#: The files of earlier versions, by channel, relative to the working directory.
OLD_FILES: Mapping[str, Path] = {
    "telegram": Path("data/rejected_updates.jsonl"),
    "max": Path("data/rejected_max_updates.jsonl"),
}

_SENDERS: Mapping[str, Callable[[Any], int | None]] = {
    "telegram": telegram_sender,
    "max": max_sender,
}


async def adopt_old_files(
    uow_factory: UnitOfWorkFactory, now: datetime, files: Mapping[str, Path] = OLD_FILES
) -> int:
    """Move every line of the old files into `rejected_updates` and remove the files: how many
    rows were written. Never raises (logged; the bot starts anyway, and tries again next time).
    A line without its time is taken as set aside `now`."""
    moved = 0
    for channel, path in files.items():
        try:
            if not path.is_file():
                continue
            content = await asyncio.to_thread(path.read_text, encoding="utf-8", errors="replace")
            lines = [line for line in content.splitlines() if line.strip()]
            async with uow_factory() as uow, uow.write():
                for line in lines:
                    await uow.rejected_updates.add(**_row(channel, line, now))
            await asyncio.to_thread(path.unlink)
        except Exception:  # an unreadable file, a database that refuses: the next start retries
            log.exception("could not move the old rejected updates of %s into the table", path)
            continue
        moved += len(lines)
        log.warning(
            "%s rejected updates of %s moved into the table rejected_updates", len(lines), path
        )
    return moved


def _row(channel: str, line: str, now: datetime) -> dict[str, Any]:
    """The columns of one line of an old file."""
    try:
        record: Any = json.loads(line)
    except ValueError:
        record = None
    if not isinstance(record, dict):  # a line cut short (the disk filled up): kept as it is
        record = {"update": line, "errors": ["a line of the old file that is not a JSON object"]}
    raw = record.get("update")
    errors = record.get("errors")
    try:
        sender = _SENDERS[channel](raw)
    except Exception:  # the update may be any shape
        sender = None
    return {
        "channel": channel,
        "update_id": column_int(record.get("update_id")),
        "user_id": sender,
        "raw": raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False, default=str),
        "problems": [str(e) for e in errors] if isinstance(errors, list) else [],
        "now": _when(record.get("rejected_at")) or now,
    }


def _when(value: Any) -> datetime | None:
    """The line's `rejected_at` (an ISO time in UTC), None where it is missing or wrong."""
    if not isinstance(value, str):
        return None
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        return None
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)
