"""Which messenger a user is in. One user table serves both: a Telegram user keeps their
Telegram id (always positive); a MAX user is stored under the negative of their MAX user id, so
the two id spaces never meet and every id says its channel without a look-up."""

from __future__ import annotations

TELEGRAM = "telegram"
MAX = "max"
CHANNELS = (TELEGRAM, MAX)


def channel_of(user_id: int) -> str:
    """The channel of a stored user id (or private chat id)."""
    return MAX if user_id < 0 else TELEGRAM


def from_max(max_user_id: int) -> int:
    """The bot's id of a MAX user."""
    if max_user_id <= 0:
        raise ValueError(f"not a MAX user id: {max_user_id}")
    return -max_user_id


def to_max(user_id: int) -> int:
    """The MAX user id behind one of the bot's ids."""
    if user_id >= 0:
        raise ValueError(f"{user_id} is not a MAX user's id")
    return -user_id


def messenger_id(user_id: int) -> int:
    """The id the user's own messenger knows them by (a MAX user's is stored negated)."""
    return to_max(user_id) if user_id < 0 else user_id
