"""aiogram's session for MAX: the bot's Bot API requests become MAX Bot API calls, and MAX's
answers become the aiogram objects the handlers expect. The handlers do not know which
messenger they talk to.

The bot knows a message by an integer id; MAX by a string (`mid`). Every message the bot sends
or is shown (a user's message, the message under a tapped button) gets its integer id from the
`max_messages` table, so a screen is edited in place after a restart too.

Chat and user ids are the bot's: a MAX user is the negative of their MAX user id
(db/channels.py). What MAX has no equivalent for is translated (see README, "MAX"):
a reply keyboard becomes inline `message` buttons (a tap sends the label as text, as in
Telegram), a contact button MAX's `request_contact`, a Mini App button a link; per-chat command
lists are not kept (MAX has one list for the bot).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiogram import methods
from aiogram.client.default import Default
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import (
    BotCommandScopeDefault,
    BufferedInputFile,
    Chat,
    File,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    User,
)

from bot.max.api import MaxApi, pause
from db import channels
from db.uow import UnitOfWorkFactory

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)

#: aiogram wants a Telegram-shaped token; the real MAX token lives in `MaxApi`. Its number is
#: the MAX bot's id in aiogram (dialog state keys); MAX chats have negative ids, so it never
#: meets the Telegram bot's.
STUB_TOKEN = "1:max-bot-api"
#: Tries of a message whose uploaded file MAX is still processing ("attachment.not.ready").
ATTACHMENT_TRIES = 5
#: MAX's limit on a message's text (Telegram's is 4096).
TEXT_LIMIT = 4000
#: Files are fetched at their URL, which is the File's path.
FILES_BY_URL = TelegramAPIServer(base="{method}", file="{path}")


def now_utc() -> datetime:
    return datetime.now(UTC)


class MaxSession(BaseSession):
    def __init__(
        self,
        api: MaxApi,
        uow_factory: UnitOfWorkFactory,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        super().__init__(api=FILES_BY_URL, timeout=api.timeout)
        self.max = api
        self.uow_factory = uow_factory
        self.clock = clock
        self.me: User | None = None
        #: MAX file tokens of files users sent, to their download address (a download follows
        #: the message at once, in this process; the token is what sends the file again).
        self.file_urls: dict[str, str] = {}

    async def close(self) -> None:
        await self.max.close()

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield await self.max.download(url, methods.GetFile(file_id=url))

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        # A subclass of a method (the outbox's, which reads less of the answer) is sent as the
        # method it extends.
        handler = next(
            (found for cls in type(method).__mro__ if (found := _HANDLERS.get(cls)) is not None),
            None,
        )
        if handler is None:
            log.warning("%s has no MAX equivalent; nothing was sent", type(method).__name__)
            raise TelegramBadRequest(
                method=method, message=f"Bad Request: {type(method).__name__} is not in MAX"
            )
        result: TelegramType = await handler(self, bot, method, timeout)
        return result

    # --- ids -----------------------------------------------------------------------------------

    async def message_id(self, mid: str, chat_id: int) -> int:
        """The bot's integer id of the MAX message `mid` (given one now if new)."""
        async with self.uow_factory() as uow:
            found = await uow.max_messages.id_of(mid)
            if found is not None:
                return found
            async with uow.write():
                return await uow.max_messages.remember(mid, chat_id, self.clock())

    async def _mid(self, method: TelegramMethod[Any], chat_id: int, message_id: int) -> str:
        async with self.uow_factory() as uow:
            mid = await uow.max_messages.mid_of(message_id, chat_id)
        if mid is None:
            raise TelegramBadRequest(
                method=method, message="Bad Request: message to edit not found"
            )
        return mid

    # --- methods -------------------------------------------------------------------------------

    async def _get_me(self, bot: Bot, method: methods.GetMe, timeout: int | None) -> User:
        data = await self.max.request("GET", "me", method, timeout=timeout)
        self.me = User(
            id=channels.from_max(int(data["user_id"])),
            is_bot=True,
            first_name=str(data.get("first_name") or data.get("name") or "bot"),
            username=data.get("username"),
        )
        return self.me

    async def _send_message(
        self, bot: Bot, method: methods.SendMessage, timeout: int | None
    ) -> Message:
        chat_id = _chat(method, method.chat_id)
        body = _body(bot, method.text, method.parse_mode, method.reply_markup)
        return await self._post(bot, method, chat_id, body, timeout)

    async def _post(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        chat_id: int,
        body: dict[str, Any],
        timeout: int | None,
    ) -> Message:
        params = {"user_id": channels.to_max(chat_id)}
        sent = {k: v for k, v in body.items() if not k.startswith("_")}
        for attempt in range(1, ATTACHMENT_TRIES + 1):
            try:
                data = await self.max.request(
                    "POST", "messages", method, params=params, body=sent, timeout=timeout
                )
                break
            except TelegramBadRequest as error:
                if "attachment.not.ready" not in error.message or attempt == ATTACHMENT_TRIES:
                    raise
                await pause(0.5 * 2 ** (attempt - 1))
        answer = data.get("message") if isinstance(data, dict) else None
        mid = (answer or {}).get("body", {}).get("mid")
        if not isinstance(mid, str):
            raise TelegramBadRequest(method=method, message="Bad Request: MAX sent no message id")
        message_id = await self.message_id(mid, chat_id)
        return self._message(bot, chat_id, message_id, body)

    def _message(self, bot: Bot, chat_id: int, message_id: int, body: dict[str, Any]) -> Message:
        return Message(
            message_id=message_id,
            date=self.clock(),
            chat=Chat(id=chat_id, type="private"),
            from_user=self.me or User(id=bot.id, is_bot=True, first_name="bot"),
            text=body.get("text") or "",
            reply_markup=body.get("_markup"),
        ).as_(bot)

    async def _edit_text(
        self, bot: Bot, method: methods.EditMessageText, timeout: int | None
    ) -> Message:
        if method.chat_id is None or method.message_id is None:
            raise TelegramBadRequest(method=method, message="Bad Request: message can't be edited")
        chat_id = _chat(method, method.chat_id)
        mid = await self._mid(method, chat_id, method.message_id)
        body = _body(bot, method.text, method.parse_mode, method.reply_markup)
        body.setdefault("attachments", [])  # no keyboard: the old one goes, as in Telegram
        await self._put(method, mid, body, timeout)
        return self._message(bot, chat_id, method.message_id, body)

    async def _edit_markup(
        self, bot: Bot, method: methods.EditMessageReplyMarkup, timeout: int | None
    ) -> bool:
        if method.chat_id is None or method.message_id is None:
            raise TelegramBadRequest(method=method, message="Bad Request: message can't be edited")
        mid = await self._mid(method, _chat(method, method.chat_id), method.message_id)
        await self._put(method, mid, {"attachments": _attachments(method.reply_markup)}, timeout)
        return True

    async def _put(
        self, method: TelegramMethod[Any], mid: str, body: dict[str, Any], timeout: int | None
    ) -> None:
        sent = {k: v for k, v in body.items() if not k.startswith("_")}
        try:
            data = await self.max.request(
                "PUT", "messages", method, params={"message_id": mid}, body=sent, timeout=timeout
            )
        except TelegramBadRequest as error:
            # Gone, or too old to edit: the screen is sent anew (handlers.ui.show).
            raise TelegramBadRequest(
                method=method, message=f"Bad Request: message can't be edited ({error.message})"
            ) from error
        if isinstance(data, dict) and data.get("success") is False:
            raise TelegramBadRequest(
                method=method,
                message=f"Bad Request: message can't be edited: {data.get('message')}",
            )

    async def _delete(self, bot: Bot, method: methods.DeleteMessage, timeout: int | None) -> bool:
        chat_id = _chat(method, method.chat_id)
        mid = await self._mid(method, chat_id, method.message_id)
        await self.max.request("DELETE", "messages", method, params={"message_id": mid})
        return True

    async def _answer(
        self, bot: Bot, method: methods.AnswerCallbackQuery, timeout: int | None
    ) -> bool:
        # MAX refuses an empty answer, and needs none: only a toast is sent.
        if not method.text:
            return True
        await self.max.request(
            "POST",
            "answers",
            method,
            params={"callback_id": method.callback_query_id},
            body={"notification": method.text},
            timeout=timeout,
        )
        return True

    async def _send_document(
        self, bot: Bot, method: methods.SendDocument, timeout: int | None
    ) -> Message:
        return await self._send_file(bot, method, "file", method.document, method.caption)

    async def _send_photo(
        self, bot: Bot, method: methods.SendPhoto, timeout: int | None
    ) -> Message:
        return await self._send_file(bot, method, "image", method.photo, method.caption)

    async def _send_file(
        self,
        bot: Bot,
        method: methods.SendDocument | methods.SendPhoto,
        kind: str,
        upload: Any,
        caption: str | None,
    ) -> Message:
        chat_id = _chat(method, method.chat_id)
        if isinstance(upload, BufferedInputFile):
            token = await self.upload(kind, upload.data, upload.filename or "file", method)
            payload = {"token": token}
        elif isinstance(upload, str):
            # A file sent before (a broadcast's photo): MAX sends it again by its token; a
            # Telegram file id is refused by MAX, and the refusal is the reason recorded.
            payload = {"token": upload}
        else:
            raise TelegramBadRequest(
                method=method, message="Bad Request: this file cannot be sent in MAX"
            )
        body = _body(bot, caption, method.parse_mode, method.reply_markup)
        body["attachments"] = [{"type": kind, "payload": payload}, *body.get("attachments", [])]
        return await self._post(bot, method, chat_id, body, None)

    async def upload(
        self, kind: str, data: bytes, filename: str, method: TelegramMethod[Any]
    ) -> str:
        """Upload a file to MAX (`kind`: "image" or "file"); the token that sends it, as often
        as needed (`POST /uploads`, then the bytes to the address it gives; the token comes
        with the address or in the upload's answer: `token`, or an image's `photos`)."""
        target = await self.max.request("POST", "uploads", method, params={"type": kind})
        uploaded = await self.max.upload(str(target["url"]), data, filename, method)
        token = target.get("token") or _uploaded_token(uploaded)
        if not isinstance(token, str) or not token:
            raise TelegramBadRequest(
                method=method, message=f"Bad Request: MAX gave no token for the {kind} uploaded"
            )
        return token

    async def _get_file(self, bot: Bot, method: methods.GetFile, timeout: int | None) -> File:
        url = self.file_urls.get(method.file_id)
        if url is None:
            raise TelegramBadRequest(method=method, message="Bad Request: invalid file_id")
        return File(file_id=method.file_id, file_unique_id=method.file_id, file_path=url)

    async def _set_commands(
        self, bot: Bot, method: methods.SetMyCommands, timeout: int | None
    ) -> bool:
        # MAX keeps one command list per bot: the public one is set; per-chat lists are not.
        if method.scope is None or isinstance(method.scope, BotCommandScopeDefault):
            commands = [{"name": c.command, "description": c.description} for c in method.commands]
            await self.max.request("PATCH", "me", method, body={"commands": commands})
        return True

    async def _nothing(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None) -> bool:
        return True


def _chat(method: TelegramMethod[Any], chat_id: int | str) -> int:
    """The bot's chat id of a MAX user; anything else is not a chat in MAX."""
    try:
        value = int(chat_id)
        channels.to_max(value)
    except ValueError as error:
        raise TelegramBadRequest(method=method, message="Bad Request: chat not found") from error
    return value


def _uploaded_token(uploaded: Any) -> Any:
    """The token in MAX's answer to an upload: `{"token": …}` (a file), or `{"photos":
    {<version>: {"token": …}}}` (an image: any version's token sends the image)."""
    if not isinstance(uploaded, dict):
        return None
    if uploaded.get("token"):
        return uploaded["token"]
    photos = uploaded.get("photos")
    if isinstance(photos, dict):
        for version in photos.values():
            if isinstance(version, dict) and version.get("token"):
                return version["token"]
    return None


def _body(bot: Bot, text: str | None, parse_mode: Any, markup: Any) -> dict[str, Any]:
    if isinstance(parse_mode, Default):
        parse_mode = bot.default[parse_mode.name]
    body: dict[str, Any] = {"text": (text or "")[:TEXT_LIMIT]}
    if parse_mode == ParseMode.HTML:
        body["format"] = "html"
    elif parse_mode in (ParseMode.MARKDOWN, ParseMode.MARKDOWN_V2):
        body["format"] = "markdown"
    attachments = _attachments(markup)
    if attachments:
        body["attachments"] = attachments
    if isinstance(markup, InlineKeyboardMarkup):
        body["_markup"] = markup
    return body


def _attachments(markup: Any) -> list[dict[str, Any]]:
    """An aiogram keyboard as MAX's inline_keyboard attachment (none for no keyboard)."""
    rows: list[list[dict[str, Any]]] = []
    if isinstance(markup, InlineKeyboardMarkup):
        for row in markup.inline_keyboard:
            buttons = [b for b in (_inline(button) for button in row) if b]
            if buttons:
                rows.append(buttons)
    elif isinstance(markup, ReplyKeyboardMarkup):
        for reply_row in markup.keyboard:
            buttons = []
            for key in reply_row:
                if key.request_contact:
                    buttons.append({"type": "request_contact", "text": key.text})
                elif key.request_location:
                    buttons.append({"type": "request_geo_location", "text": key.text})
                elif key.web_app is not None:
                    buttons.append({"type": "link", "text": key.text, "url": key.web_app.url})
                else:  # sends its label as the user's message, as Telegram's reply keys do
                    buttons.append({"type": "message", "text": key.text})
            rows.append(buttons)
    if not rows:
        return []
    return [{"type": "inline_keyboard", "payload": {"buttons": rows}}]


def _inline(button: Any) -> dict[str, Any] | None:
    if button.callback_data is not None:
        return {"type": "callback", "text": button.text, "payload": button.callback_data}
    if button.url is not None:
        return {"type": "link", "text": button.text, "url": button.url}
    if button.web_app is not None:  # a Mini App opens as a web page
        return {"type": "link", "text": button.text, "url": button.web_app.url}
    log.warning("button %r has no MAX equivalent; left out", button.text)
    return None


_HANDLERS: dict[type[Any], Callable[..., Any]] = {
    methods.GetMe: MaxSession._get_me,
    methods.SendMessage: MaxSession._send_message,
    methods.EditMessageText: MaxSession._edit_text,
    methods.EditMessageReplyMarkup: MaxSession._edit_markup,
    methods.DeleteMessage: MaxSession._delete,
    methods.AnswerCallbackQuery: MaxSession._answer,
    methods.SendDocument: MaxSession._send_document,
    methods.SendPhoto: MaxSession._send_photo,
    methods.GetFile: MaxSession._get_file,
    methods.SetMyCommands: MaxSession._set_commands,
    methods.DeleteMyCommands: MaxSession._nothing,
    methods.DeleteWebhook: MaxSession._nothing,
}
