"""Alembic environment. Used by `db.migrate` (the bot, the tests) and by the alembic CLI."""

from __future__ import annotations

import asyncio
import os
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from db import models  # noqa: F401 - registers the tables
from db.base import Base, UTCDateTime
from db.engine import create_engine

config = context.config
target_metadata = Base.metadata


def _render_item(
    kind: str,
    obj: Any,
    autogen_context: AutogenContext,  # noqa: ARG001
) -> str | Literal[False]:
    """Migrations use plain SQLAlchemy types, so they never import application code."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("Set DATABASE_URL (or use `python -m bot migrate`).")
    asyncio.run(_run_with_own_engine(url))
