"""MAX's refusals of a message, through the outbox: each answer MAX gives for a user who can no
longer be written to (bot/max/api.py, `_BLOCKED_CODES`, which says where each comes from)
marks the user blocked, closes what waits for them and counts as "blocked" in the broadcast's
progress and the metrics; the refusals that say nothing of the kind fail the one message and
leave the user alone."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from db.calendar import Moment
from db.models import OutboxMessage
from services import broadcasts
from services.broadcasts import Draft
from services.coordinators import Staff
from tests import test_max
from tests.test_max import MAX_USER, MaxWorld
from tests.test_metrics import samples

# The fixtures of tests/test_max.py: the fake MAX API and the bot in MAX on it.
fake = test_max.fake
max_world = test_max.max_world

ADMIN = 9_000_001
SUSPENDED = f"Key: error.dialog.suspended, args: [{MAX_USER},]."

BLOCKED = [
    pytest.param(403, {"code": "chat.denied", "message": SUSPENDED}, id="403-stopped"),
    pytest.param(403, {"code": "access.denied", "message": "No access to chat"}, id="403-other"),
    pytest.param(
        404,
        {"code": "chat.not.found", "message": f"Chat {MAX_USER} not found"},
        id="404-dialog-deleted",
    ),
    pytest.param(400, {"code": "chat.denied", "message": SUSPENDED}, id="chat-denied-as-400"),
]
NOT_BLOCKED = [
    # A refusal of this message (its button, its link), whose text merely has the word in it.
    pytest.param(
        400,
        {"code": "proto.payload", "message": "Link blocked: url not allowed"},
        id="400-word-blocked",
    ),
    pytest.param(
        400,
        {"code": "proto.payload", "message": "Bot stopped parsing the text"},
        id="400-word-stopped",
    ),
    pytest.param(404, {"code": "not.found", "message": "Message not found"}, id="404-not-found"),
]


async def broadcast_to_a_max_user(world: MaxWorld) -> int:
    """A MAX student (consent, role) and the committee's broadcast to everyone, confirmed."""
    clock, version = world.clock, world.app.texts("consent-version")
    async with world.app.uow_factory() as uow:
        async with uow.write():
            await uow.users.give_consent(-MAX_USER, version, clock())
            await uow.users.set_role(-MAX_USER, "student", clock())
        text = "Ярмарка профессий в субботу"
        confirmed = await broadcasts.confirm(
            uow,
            Staff(ADMIN, frozenset({ADMIN})),
            Draft(text=text, length=len(text)),
            Moment(clock(), world.app.texts.tz),
        )
        # A second message waiting for the same user (the day's event reminder, say).
        async with uow.write():
            await uow.outbox.add_many(
                [
                    {
                        "user_id": -MAX_USER,
                        "key": "family:1:unlinked",
                        "kind": "family_notice",
                        "payload": {"family": "unlinked"},
                        "created_at": clock(),
                        "not_before": clock(),
                        "attempts": 0,
                    }
                ]
            )
    return confirmed.broadcast.id


async def deliver(world: MaxWorld, status: int, body: dict[str, Any]) -> tuple[int, list[str]]:
    """MAX refuses the first message with `status` and `body`; the outbox drains twice. The
    messages MAX was asked to send, and the outcome of each outbox row."""
    broadcast_id = await broadcast_to_a_max_user(world)
    world.fake.fail_next("messages", status, body)
    jobs = world.app.scheduled_jobs(world.bot, {"max": world.bot})
    for _ in range(2):
        world.clock.advance(seconds=2)
        await jobs.drain_outbox()
    async with world.app.uow_factory() as uow:
        rows = (await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    sent = [b["text"] for _, _, q, b in world.fake.calls("POST", "messages") if q.get("user_id")]
    assert len(sent) >= 1
    return broadcast_id, [row.outcome or "" for row in rows]


def counted(world: MaxWorld, body: bytes) -> dict[str, float]:
    return {
        labels: value
        for (name, labels), value in samples(body).items()
        if name == "profnavigator_outbox_messages_total"
    }


@pytest.mark.parametrize(("status", "body"), BLOCKED)
async def test_a_refusal_that_means_the_user_cannot_be_written_to_marks_them_blocked(
    max_world: MaxWorld, status: int, body: dict[str, Any]
) -> None:
    broadcast_id, outcomes = await deliver(max_world, status, body)

    assert outcomes == ["blocked", "blocked"]  # the waiting notice is closed, never sent
    assert len(max_world.fake.calls("POST", "messages")) == 1
    async with max_world.app.uow_factory() as uow:
        user = await uow.users.get(-MAX_USER)
        progress = await broadcasts.progress_of(uow, broadcast_id)
    assert user is not None
    assert user.blocked_at is not None
    assert user.role == "student"  # data kept
    assert (progress.blocked, progress.sent, progress.failed) == (1, 0, 0)
    scraped = await max_world.app.metrics.scrape(max_world.app.uow_factory, max_world.clock())
    assert counted(max_world, scraped)["outcome=blocked,reason=blocked"] == 1  # the one tried


@pytest.mark.parametrize(("status", "body"), NOT_BLOCKED)
async def test_a_refusal_of_the_message_itself_fails_it_and_leaves_the_user_alone(
    max_world: MaxWorld, status: int, body: dict[str, Any]
) -> None:
    broadcast_id, outcomes = await deliver(max_world, status, body)

    assert sorted(outcomes) == ["failed", "sent"]  # the other message still goes
    async with max_world.app.uow_factory() as uow:
        user = await uow.users.get(-MAX_USER)
        progress = await broadcasts.progress_of(uow, broadcast_id)
        [failed] = [
            row
            for row in (await uow.session.scalars(select(OutboxMessage))).all()
            if row.outcome == "failed"
        ]
    assert user is not None
    assert user.blocked_at is None
    assert progress.blocked == 0
    assert body["code"] in (failed.error or "")
