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


#: The markers of a consultation request's steps start so (handlers/consultations.py).
CONSULTATION = "consult-"


async def leave_consultation(ctx: Request) -> None:
    """The user left a consultation request's step (the main menu, a command): typed text is
    no longer its topic or phone. The draft stays; only the marker goes."""
    found = await load(ctx)
    if found is not None and str(found.get("for", "")).startswith(CONSULTATION):
        await clear(ctx)
