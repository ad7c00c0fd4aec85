"""The one reminder about a questionnaire left unfinished: queued in the outbox (and the attempt
marked, so that it is reminded of once), then sent like everything the bot sends unasked."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from db.uow import UnitOfWork
from services.outbox_kinds import OutboxKind

#: Attempts taken up at a time; the job queues again until none is due.
BATCH = 500


async def queue(uow: UnitOfWork, idle_for: timedelta, consent_version: str, now: datetime) -> int:
    """Queue a reminder for every attempt idle for `idle_for`, once per attempt. Users who
    have not agreed to the current consent text are not written to until they open the bot
    again. Returns how many were queued."""
    queued = 0
    while True:
        async with uow.write():
            due = await uow.attempts.take_due_reminders(now - idle_for, consent_version, now, BATCH)
            await uow.outbox.add_many([_message(a, u, now) for a, u in due])
        queued += len(due)
        if len(due) < BATCH:
            return queued


def _message(attempt_id: int, user_id: int, now: datetime) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "key": f"quiz:{attempt_id}",
        "kind": OutboxKind.QUIZ_REMINDER,
        "payload": {"attempt_id": attempt_id},
        "created_at": now,
        "not_before": now,
        "attempts": 0,
    }
