"""A simulated Telegram user: types text and taps buttons by their label, through the real
dispatcher. The demo chat, the tests and the benchmarks all talk to the bot this way.
"""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update

from bot.local_session import LocalTelegram, Shown

#: Update ids, as Telegram numbers them: increasing, and never the same twice on one database,
#: even across runs of the demo on its kept database (each run starts from the clock, in ms),
#: since an update id seen before is skipped (bot/middlewares.py `OncePerUpdate`).
_update_ids = itertools.count(int(time.time() * 1000))
_query_ids = itertools.count(1)


class ButtonNotFound(LookupError):
    pass


class Conversation:
    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        telegram: LocalTelegram,
        user_id: int,
        first_name: str = "Аня",
    ) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.telegram = telegram
        self.user_id = user_id
        self.user_payload: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": "ru",
        }
        self.chat_payload: dict[str, Any] = {
            "id": user_id,
            "type": "private",
            "first_name": first_name,
        }
        self._message_ids = itertools.count(10_000_000)

    # --- what the user sees -------------------------------------------------------------------

    @property
    def messages(self) -> list[Shown]:
        return self.telegram.messages(self.user_id)

    @property
    def last(self) -> Shown:
        """The message at the bottom of the chat."""
        return self.messages[-1]

    def with_buttons(self) -> Shown:
        """The lowest message that has buttons (the screen the user acts on)."""
        for shown in reversed(self.messages):
            if shown.markup is not None:
                return shown
        raise ButtonNotFound("no message with buttons in the chat")

    @property
    def last_toast(self) -> str | None:
        return self.telegram.toasts[-1].text if self.telegram.toasts else None

    # --- what the user does -------------------------------------------------------------------

    async def send(self, text: str) -> Any:
        message = {
            "message_id": next(self._message_ids),
            "date": _now(),
            "chat": self.chat_payload,
            "from": self.user_payload,
            "text": text,
        }
        return await self.feed({"update_id": next(_update_ids), "message": message})

    async def send_document(self, data: bytes, filename: str) -> Any:
        """Send the bot a file, as Telegram delivers it (the bot downloads it by its id)."""
        file_id = f"upload-{next(self._message_ids)}"
        self.telegram.uploads[file_id] = data
        message = {
            "message_id": next(self._message_ids),
            "date": _now(),
            "chat": self.chat_payload,
            "from": self.user_payload,
            "document": {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_name": filename,
                "file_size": len(data),
            },
        }
        return await self.feed({"update_id": next(_update_ids), "message": message})

    async def send_photo(self, caption: str = "", size: int = 200_000, **extra: Any) -> Any:
        """Send the bot a photo (Telegram delivers it in several sizes, the largest last)."""
        file_id = f"photo-{next(self._message_ids)}"
        self.telegram.uploads[file_id] = b"\xff\xd8 a photo"
        sizes = [
            {
                "file_id": f"{file_id}-s",
                "file_unique_id": f"{file_id}-s",
                "width": 90,
                "height": 60,
                "file_size": size // 50,
            },
            {
                "file_id": file_id,
                "file_unique_id": file_id,
                "width": 1280,
                "height": 853,
                "file_size": size,
            },
        ]
        return await self.send_message(photo=sizes, caption=caption, **extra)

    async def send_message(self, **fields: Any) -> Any:
        """Send the bot a message with any fields (a sticker, a photo, formatted text)."""
        message = {
            "message_id": next(self._message_ids),
            "date": _now(),
            "chat": self.chat_payload,
            "from": self.user_payload,
            **fields,
        }
        return await self.feed({"update_id": next(_update_ids), "message": message})

    async def click(self, label: str, on: Shown | None = None) -> Any:
        """Tap the button labelled `label` on `on` (by default the lowest message with buttons).
        The label may leave out the leading emoji and the end: "Даю" taps "✅ Даю согласие".
        """
        shown = on or self.with_buttons()
        labels = [text for text, _ in shown.buttons]
        data = next((d for t, d in shown.buttons if t == label), None)
        if data is None:
            wanted = _words(label)
            data = next((d for t, d in shown.buttons if _words(t).startswith(wanted)), None)
        if data is None:
            raise ButtonNotFound(f"no button {label!r}; the buttons are {labels}")
        return await self.press(data, shown)

    async def press(self, data: str, shown: Shown | None = None) -> Any:
        """Send a callback query with any data, as a (possibly forged) client would."""
        shown = shown or self.with_buttons()
        query = {
            "id": str(next(_query_ids)),
            "from": self.user_payload,
            "chat_instance": "local",
            "data": data,
            "message": {
                "message_id": shown.message_id,
                "date": _now(),
                "chat": self.chat_payload,
                "from": _BOT_USER,
                "text": shown.text,
            },
        }
        return await self.feed({"update_id": next(_update_ids), "callback_query": query})

    async def feed(self, payload: dict[str, Any]) -> Any:
        """Deliver a raw update, as Telegram sends it, through the real dispatcher."""
        update = Update.model_validate(payload, context={"bot": self.bot})
        return await self.dispatcher.feed_update(self.bot, update)


_BOT_USER = LocalTelegram.BOT_USER.model_dump(exclude_none=True)


def _words(label: str) -> str:
    """A label without its leading emoji and spaces ("← Назад" keeps its arrow)."""
    start = 0
    while start < len(label) and not (label[start].isalnum() or label[start] == "←"):
        start += 1
    return label[start:]


def _now() -> int:
    return int(datetime.now(UTC).timestamp())
