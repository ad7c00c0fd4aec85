"""SQLite's writers committed in groups (db/uow.py `WriteQueue`): when many write at once, each
`write()` returns only once its own change is committed, a writer that fails takes nobody else's
change with it, and a writer that goes away while waiting leaves nobody waiting for ever."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from db import sqlite_driver
from db.engine import create_engine, create_session_factory
from db.sqlite_driver import RESULT_UNREAD, OneTripConnection
from db.uow import UnitOfWorkFactory, WriteQueue


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'queue.sqlite3'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE seats (who INTEGER PRIMARY KEY)"))
    yield engine
    await engine.dispose()


def count_commits(engine: AsyncEngine) -> list[int]:
    commits: list[int] = []

    @event.listens_for(engine.sync_engine, "commit")
    def _commit(_connection: Any) -> None:
        commits.append(1)

    return commits


async def on_disk(engine: AsyncEngine) -> set[int]:
    """What another connection (another process) reads: only what is committed."""
    other = create_engine(str(engine.url))
    try:
        async with other.connect() as connection:
            return set((await connection.execute(text("SELECT who FROM seats"))).scalars())
    finally:
        await other.dispose()


async def take_seat(factory: UnitOfWorkFactory, who: int) -> None:
    """One writer: a seat's row in a write of its own."""
    async with factory() as uow, uow.write():
        await uow.session.execute(text("INSERT INTO seats VALUES (:who)"), {"who": who})


async def hold_seat(
    factory: UnitOfWorkFactory, who: int, inside: asyncio.Event, go_on: asyncio.Event
) -> None:
    """A writer that holds the queue inside its write (`inside` set) until `go_on`."""
    async with factory() as uow, uow.write():
        await uow.session.execute(text("INSERT INTO seats VALUES (:who)"), {"who": who})
        inside.set()
        await go_on.wait()


async def test_writers_at_once_are_committed_in_groups_and_each_before_it_returns(
    engine: AsyncEngine,
) -> None:
    factory = UnitOfWorkFactory(create_session_factory(engine), serialize_writes=True)
    commits = count_commits(engine)
    seen_when_returned: dict[int, bool] = {}

    async def take(who: int) -> None:
        async with factory() as uow:
            async with uow.write():
                await uow.session.execute(text("INSERT INTO seats VALUES (:who)"), {"who": who})
                if who % 10 == 3:
                    raise ValueError("refused")  # after writing: only this one is undone
            seen_when_returned[who] = who in await on_disk(engine)

    results = await asyncio.gather(*(take(who) for who in range(100)), return_exceptions=True)

    refused = {who for who, result in enumerate(results) if isinstance(result, ValueError)}
    assert refused == {who for who in range(100) if who % 10 == 3}
    assert await on_disk(engine) == set(range(100)) - refused
    assert len(seen_when_returned) == 100 - len(refused)
    assert all(seen_when_returned.values())
    assert len(commits) <= 100 // WriteQueue.MOST + 5  # not one commit (one fsync) per writer


async def test_a_writer_alone_commits_at_once(engine: AsyncEngine) -> None:
    factory = UnitOfWorkFactory(create_session_factory(engine), serialize_writes=True)
    async with factory() as uow:
        async with uow.write():
            await uow.session.execute(text("INSERT INTO seats VALUES (1)"))
        assert await on_disk(engine) == {1}
        async with uow.write():
            await uow.session.execute(text("INSERT INTO seats VALUES (2)"))
        assert await on_disk(engine) == {1, 2}


async def test_a_waiter_that_goes_away_leaves_the_group_committed(engine: AsyncEngine) -> None:
    factory = UnitOfWorkFactory(create_session_factory(engine), serialize_writes=True)
    inside = asyncio.Event()
    go_on = asyncio.Event()

    queue = factory._writers
    assert queue is not None
    leave_group = queue.leave_group
    left_open = []

    async def leave_then_go_away(group: Any) -> Any:
        # The moment the second writer leaves its group open for the third, the third goes.
        committed = await leave_group(group)
        if committed is not None:
            left_open.append(group)
            gone.cancel()
        return committed

    queue.leave_group = leave_then_go_away  # type: ignore[method-assign]
    holder = asyncio.create_task(hold_seat(factory, 1, inside, go_on))
    await inside.wait()
    second = asyncio.create_task(take_seat(factory, 2))  # waits: it will open a group
    gone = asyncio.create_task(take_seat(factory, 3))  # waits behind it
    await asyncio.sleep(0.01)
    go_on.set()
    await holder
    await asyncio.wait_for(second, timeout=5)
    assert left_open, "the second writer did not leave its group open"
    assert gone.cancelled()
    assert await on_disk(engine) == {1, 2}


async def test_in_a_group_a_write_whose_result_is_unread_fails_only_its_writer(
    engine: AsyncEngine,
) -> None:
    """A write marked RESULT_UNREAD (db/sqlite_driver.py) is put off to its connection's next
    trip only outside groups: in a group the next statement may be another writer's."""
    factory = UnitOfWorkFactory(create_session_factory(engine), serialize_writes=True)
    async with factory() as uow, uow.write():
        await uow.session.execute(text("INSERT INTO seats VALUES (0)"))

    async def take(who: int) -> None:
        async with factory() as uow, uow.write():
            await uow.session.execute(text("INSERT INTO seats VALUES (:who)"), {"who": who})
            if who % 10 == 3:  # the seat of nobody, taken: fails at once, in its own savepoint
                await uow.session.execute(
                    text(f"UPDATE {RESULT_UNREAD} seats SET who = 0 WHERE who = :who"),
                    {"who": who},
                )

    results = await asyncio.gather(*(take(who) for who in range(1, 60)), return_exceptions=True)

    failed = {who for who, result in zip(range(1, 60), results, strict=True) if result}
    assert failed == {who for who in range(1, 60) if who % 10 == 3}
    assert all(isinstance(results[who - 1], IntegrityError) for who in failed)
    assert await on_disk(engine) == set(range(60)) - failed
    # Alone again, the connection puts such a write off as before.
    async with factory() as uow:
        raw = await (await uow.session.connection()).get_raw_connection()
        assert isinstance(raw.driver_connection, OneTripConnection)
        assert raw.driver_connection.defer_unread
        await uow.session.rollback()


async def test_a_committing_writer_cancelled_mid_commit_leaves_every_member_committed(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two hundred sign-ups; the writer committing each group is cancelled (a webhook request
    timed out) while the COMMIT is under way in aiosqlite's thread: the commit goes through,
    every other member is told so, and the connections go back to the pool as before."""
    factory = UnitOfWorkFactory(create_session_factory(engine), serialize_writes=True)
    queue = factory._writers
    assert queue is not None
    real_commit = sqlite_driver._commit

    def slow_commit(connection: sqlite3.Connection, pending: Any) -> None:
        time.sleep(0.03)  # in the connection's thread: the event loop goes on meanwhile
        real_commit(connection, pending)

    monkeypatch.setattr(sqlite_driver, "_commit", slow_commit)
    group_commit = queue._commit
    committers: list[asyncio.Task[Any]] = []

    async def commit_and_be_cancelled(group: Any) -> None:
        committer = asyncio.current_task()
        assert committer is not None
        committers.append(committer)
        asyncio.get_running_loop().call_later(0.01, committer.cancel)
        await group_commit(group)

    queue._commit = commit_and_be_cancelled  # type: ignore[method-assign]

    tasks = [asyncio.create_task(take_seat(factory, who)) for who in range(200)]
    await asyncio.wait_for(asyncio.wait(tasks), timeout=30)

    assert committers, "no group was committed"
    cancelled = {task for task in tasks if task.cancelled()}
    assert cancelled == set(committers) & set(tasks)
    assert all(task.result() is None for task in tasks if task not in cancelled)
    # The commits the cancelled writers started went through: every sign-up is on disk.
    assert await on_disk(engine) == set(range(200))
    await factory.aclose()
    pool: Any = engine.pool
    assert pool.checkedout() == 0
    async with factory() as uow:
        raw = await (await uow.session.connection()).get_raw_connection()
        assert isinstance(raw.driver_connection, OneTripConnection)
        assert raw.driver_connection.defer_unread
        await uow.session.rollback()


async def test_writers_cancelled_waiting_or_inside_their_write_leave_the_others_committed(
    engine: AsyncEngine,
) -> None:
    """A burst where some sign-ups are cancelled while they wait for their turn and some in the
    middle of their write: each of the others gets its seat, nobody is left waiting, and what
    a cancelled writer began is not kept."""
    factory = UnitOfWorkFactory(create_session_factory(engine), serialize_writes=True)
    queue = factory._writers
    assert queue is not None
    started = 0
    all_started = asyncio.Event()

    async def take(who: int) -> None:
        nonlocal started
        started += 1
        if started == 120:
            all_started.set()
        async with factory() as uow, uow.write():
            await uow.session.execute(text("INSERT INTO seats VALUES (:who)"), {"who": who})
            if who % 7 == 0:
                asyncio.current_task().cancel()  # type: ignore[union-attr]
                await asyncio.sleep(0)  # cancelled here, inside its savepoint

    tasks = [asyncio.create_task(take(who)) for who in range(120)]
    await all_started.wait()
    for who in range(3, 120, 7):
        tasks[who].cancel()  # still waiting in the queue (or about to write)
    await asyncio.wait_for(asyncio.wait(tasks), timeout=30)
    await asyncio.wait_for(queue.aclose(), timeout=5)

    gone = {who for who, task in enumerate(tasks) if task.cancelled()}
    assert {who for who in range(120) if who % 7 == 0} <= gone
    assert all(tasks[who].result() is None for who in set(range(120)) - gone)
    assert await on_disk(engine) == set(range(120)) - gone
    pool: Any = engine.pool
    assert pool.checkedout() == 0


async def test_after_aclose_a_group_left_open_is_committed_and_writers_still_write(
    engine: AsyncEngine,
) -> None:
    """Shutdown: `aclose` returns only once every write begun before it is on disk — the group a
    writer left open for one that then went away included — and a write after it still works."""
    factory = UnitOfWorkFactory(create_session_factory(engine), serialize_writes=True)
    queue = factory._writers
    assert queue is not None
    inside = asyncio.Event()
    go_on = asyncio.Event()

    leave_group = queue.leave_group
    left_open: list[Any] = []

    async def leave_then_go_away(group: Any) -> Any:
        committed = await leave_group(group)
        if committed is not None and not left_open:
            left_open.append(group)
            gone.cancel()
            # Shutdown comes before the task committing the group had its turn.
            closing.append(asyncio.create_task(queue.aclose()))
            shut_down.set()
        return committed

    queue.leave_group = leave_then_go_away  # type: ignore[method-assign]
    closing: list[asyncio.Task[None]] = []
    shut_down = asyncio.Event()
    holder = asyncio.create_task(hold_seat(factory, 1, inside, go_on))
    await inside.wait()
    second = asyncio.create_task(take_seat(factory, 2))
    gone = asyncio.create_task(take_seat(factory, 3))
    await asyncio.sleep(0.01)
    go_on.set()
    await holder
    await asyncio.wait_for(shut_down.wait(), timeout=5)
    assert left_open, "the second writer did not leave its group open"
    assert closing
    await asyncio.wait_for(closing[0], timeout=5)
    assert await on_disk(engine) == {1, 2}
    await asyncio.wait_for(second, timeout=5)  # the writer told its write is saved
    assert gone.cancelled()

    async with factory() as uow, uow.write():  # after shutdown began: its own transaction
        await uow.session.execute(text("INSERT INTO seats VALUES (4)"))
    assert await on_disk(engine) == {1, 2, 4}


async def test_a_nested_write_of_the_same_unit_of_work_raises_instead_of_hanging(
    engine: AsyncEngine,
) -> None:
    factory = UnitOfWorkFactory(create_session_factory(engine), serialize_writes=True)

    async def nested() -> None:
        async with factory() as uow, uow.write():
            await uow.session.execute(text("INSERT INTO seats VALUES (1)"))
            async with uow.write():
                await uow.session.execute(text("INSERT INTO seats VALUES (2)"))

    with pytest.raises(RuntimeError, match="inside an open write"):
        await asyncio.wait_for(nested(), timeout=5)
    assert await on_disk(engine) == set()  # the outer write failed with it: rolled back
    async with factory() as uow, uow.write():  # and the queue is free
        await uow.session.execute(text("INSERT INTO seats VALUES (3)"))
    assert await on_disk(engine) == {3}


async def test_a_write_of_another_unit_of_work_inside_a_write_raises_instead_of_hanging(
    engine: AsyncEngine,
) -> None:
    """Alone (a transaction of its own) or in a group, a writer that opens a second unit of work
    and writes with it in the same task would wait for its own turn for ever."""
    factory = UnitOfWorkFactory(create_session_factory(engine), serialize_writes=True)

    async def take(who: int) -> None:
        async with factory() as uow, uow.write():
            await uow.session.execute(text("INSERT INTO seats VALUES (:who)"), {"who": who})
            if who % 10 == 3:
                async with factory() as other, other.write():
                    await other.session.execute(text("INSERT INTO seats VALUES (1000)"))

    with pytest.raises(RuntimeError, match="would wait for itself"):
        await asyncio.wait_for(take(3), timeout=5)  # alone
    results = await asyncio.wait_for(
        asyncio.gather(*(take(who) for who in range(40)), return_exceptions=True), timeout=10
    )
    failed = {who for who, result in enumerate(results) if result is not None}
    assert failed == {3, 13, 23, 33}
    assert all(isinstance(results[who], RuntimeError) for who in failed)
    assert await on_disk(engine) == set(range(40)) - failed
