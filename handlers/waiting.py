"""What typed text the bot waits for in this chat (a profession's name, a consultation's topic,
a phone number, a content file), kept under one key of the dialog data (the database or
Redis), so a restart midway loses nothing. One feature waits at a time: starting another
replaces it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


#: What a screen changes in the dialog data, derived from the data as it is: the keys to set
#: (empty: nothing to change).
Change = Callable[[Mapping[str, Any]], dict[str, Any]]


async def settle(ctx: Request, *changes: Change) -> None:
    """Apply `changes` to the dialog data: one read of it, and one write only if any of them
    changes something (each read and write is a trip to the database or Redis)."""
    if ctx.state is None:
        return
    data = await ctx.state.get_data()
    update: dict[str, Any] = {}
    for change in changes:
        update |= change(data)
    if update:
        await ctx.state.update_data(update)


def consultation_left(data: Mapping[str, Any]) -> dict[str, Any]:
    """The user left a consultation request's step (the main menu, a command): typed text is
    no longer its topic or phone. The draft stays; only the marker goes."""
    found = data.get(KEY)
    if isinstance(found, dict) and str(found.get("for", "")).startswith(CONSULTATION):
        return {KEY: None}
    return {}


async def leave_consultation(ctx: Request) -> None:
    await settle(ctx, consultation_left)
