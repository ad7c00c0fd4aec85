"""What typed text the bot waits for in this chat (a profession's name, a consultation's topic,
a phone number, a content file), kept under one key of the dialog data (the database or
Redis), so a restart midway loses nothing. One feature waits at a time: starting another
replaces it."""

from __future__ import annotations

from typing import Any

from handlers.context import Request

KEY = "waiting"


async def load(ctx: Request) -> dict[str, Any] | None:
    if ctx.state is None:
        return None
    found = (await ctx.state.get_data()).get(KEY)
    return dict(found) if isinstance(found, dict) else None


async def wait_for(ctx: Request, what: str, **data: Any) -> None:
    await ctx.dialog.update_data({KEY: {"for": what, **data}})


async def clear(ctx: Request) -> None:
    if ctx.state is not None:
        await ctx.dialog.update_data({KEY: None})
