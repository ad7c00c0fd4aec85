"""An in-process stand-in for the Telegram Bot API, used by the demo chat, tests and benchmarks.

It keeps the messages of each chat as a user would see them, records every request, answers
like Telegram does where it matters (editing a message to the same content is "message is not
modified", a callback query can be answered once), and can be told to fail the next requests
with 429, 5xx or 403 the way the real API does.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiogram import methods
from aiogram.client.default import Default
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import BufferedInputFile, Chat, File, InlineKeyboardMarkup, Message, User

if TYPE_CHECKING:
    from aiogram import Bot


@dataclass
class Shown:
    """One message in a chat, as the user sees it now."""

    chat_id: int
    message_id: int
    text: str
    markup: InlineKeyboardMarkup | None
    edits: int = 0

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback data) of every button, row by row."""
        if self.markup is None:
            return []
        return [
            (button.text, button.callback_data or "")
            for row in self.markup.inline_keyboard
            for button in row
        ]


@dataclass
class Failure:
    method: type[TelegramMethod[Any]] | None
    error: Callable[[TelegramMethod[Any]], Exception]
    chat_id: int | None = None


@dataclass
class Toast:
    callback_query_id: str
    text: str | None
    show_alert: bool


@dataclass
class SentFile:
    """A document or photo the bot sent (a calendar file, a list, a QR code)."""

    chat_id: int
    filename: str
    data: bytes
    caption: str | None


def retry_after(seconds: int) -> Callable[[TelegramMethod[Any]], Exception]:
    return lambda m: TelegramRetryAfter(
        method=m, message=f"Too Many Requests: retry after {seconds}", retry_after=seconds
    )


def server_error(m: TelegramMethod[Any]) -> Exception:
    return TelegramServerError(method=m, message="Internal Server Error")


def blocked(m: TelegramMethod[Any]) -> Exception:
    return TelegramForbiddenError(method=m, message="Forbidden: bot was blocked by the user")


@dataclass
class _Chat:
    messages: dict[int, Shown] = field(default_factory=dict)


class LocalTelegram(BaseSession):
    BOT_USER = User(
        id=1000000001, is_bot=True, first_name="Профнавигатор", username="zima_prof_bot"
    )

    def __init__(self, *, check_html: bool = True) -> None:
        """`check_html`: refuse HTML that Telegram would refuse (off in the benchmarks, which
        time the bot, not Telegram's parser)."""
        super().__init__()
        self.check_html = check_html
        self.requests: list[TelegramMethod[Any]] = []
        self.toasts: list[Toast] = []
        self.files: list[SentFile] = []
        #: Files users sent the bot, by file id (what `bot.download` fetches).
        self.uploads: dict[str, bytes] = {}
        self.commands: dict[str, list[str]] = {}
        self._chats: dict[int, _Chat] = {}
        self._failures: deque[Failure] = deque()
        self._answered: set[str] = set()
        self._next_id = 1
        #: Called with every message shown or changed (the demo prints them).
        self.on_show: Callable[[Shown, bool], None] | None = None
        self.on_toast: Callable[[Toast], None] | None = None
        self.on_file: Callable[[SentFile], None] | None = None

    # --- test controls ------------------------------------------------------------------------

    def fail_next(
        self,
        error: Callable[[TelegramMethod[Any]], Exception],
        method: type[TelegramMethod[Any]] | None = None,
        *,
        chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next matching request(s) fail with `error`."""
        for _ in range(times):
            self._failures.append(Failure(method, error, chat_id))

    def messages(self, chat_id: int) -> list[Shown]:
        return list(self._chats.get(chat_id, _Chat()).messages.values())

    def calls(self, method: type[TelegramMethod[Any]]) -> list[Any]:
        return [r for r in self.requests if isinstance(r, method)]

    # --- BaseSession --------------------------------------------------------------------------

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        data = self.uploads.get(url.rsplit("/", 1)[-1])
        if data is None:
            raise TelegramBadRequest(method=methods.GetFile(file_id=url), message="file not found")
        yield data

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.requests.append(method)
        self._maybe_fail(method)
        if self.check_html:
            _check_html(bot, method)
        # A subclass of a method (the outbox's, which reads less of the answer) is emulated as
        # the method it extends.
        handler = next(
            (
                found
                for cls in type(method).__mro__
                if (found := getattr(self, f"_{cls.__name__}", None)) is not None
            ),
            None,
        )
        if handler is None:
            raise NotImplementedError(f"LocalTelegram does not emulate {type(method).__name__}")
        result: TelegramType = handler(bot, method)
        return result

    def _maybe_fail(self, method: TelegramMethod[Any]) -> None:
        chat_id = getattr(method, "chat_id", None)
        for failure in list(self._failures):
            if failure.method is not None and not isinstance(method, failure.method):
                continue
            if failure.chat_id is not None and failure.chat_id != chat_id:
                continue
            self._failures.remove(failure)
            raise failure.error(method)

    # --- emulated methods ---------------------------------------------------------------------

    def _message(self, bot: Bot, shown: Shown) -> Message:
        return Message(
            message_id=shown.message_id,
            date=datetime.now(UTC),
            chat=Chat(id=shown.chat_id, type="private"),
            from_user=self.BOT_USER,
            text=shown.text,
            reply_markup=shown.markup,
        ).as_(bot)

    def _notify(self, shown: Shown, edited: bool) -> None:
        if self.on_show is not None:
            self.on_show(shown, edited)

    def _GetMe(self, bot: Bot, method: methods.GetMe) -> User:  # noqa: N802
        return self.BOT_USER

    def _SendMessage(self, bot: Bot, method: methods.SendMessage) -> Message:  # noqa: N802
        chat_id = int(method.chat_id)
        markup = (
            method.reply_markup if isinstance(method.reply_markup, InlineKeyboardMarkup) else None
        )
        shown = Shown(chat_id, self._next_id, method.text, markup)
        self._next_id += 1
        self._chats.setdefault(chat_id, _Chat()).messages[shown.message_id] = shown
        self._notify(shown, edited=False)
        return self._message(bot, shown)

    def _EditMessageText(self, bot: Bot, method: methods.EditMessageText) -> Message:  # noqa: N802
        chat = self._chats.get(int(method.chat_id or 0))
        shown = chat.messages.get(method.message_id or 0) if chat else None
        if shown is None:
            raise TelegramBadRequest(
                method=method, message="Bad Request: message to edit not found"
            )
        if shown.text == method.text and shown.markup == method.reply_markup:
            raise TelegramBadRequest(
                method=method,
                message="Bad Request: message is not modified: specified new message content "
                "and reply markup are exactly the same as a current content and reply markup "
                "of the message",
            )
        shown.text = method.text or ""
        shown.markup = method.reply_markup
        shown.edits += 1
        self._notify(shown, edited=True)
        return self._message(bot, shown)

    def _AnswerCallbackQuery(self, bot: Bot, method: methods.AnswerCallbackQuery) -> bool:  # noqa: N802
        if method.callback_query_id in self._answered:
            raise TelegramBadRequest(
                method=method,
                message="Bad Request: query is too old and response timeout expired "
                "or query ID is invalid",
            )
        self._answered.add(method.callback_query_id)
        toast = Toast(method.callback_query_id, method.text, bool(method.show_alert))
        self.toasts.append(toast)
        if self.on_toast is not None and toast.text:
            self.on_toast(toast)
        return True

    def _file(
        self, bot: Bot, chat_id: int | str, upload: Any, caption: str | None, markup: Any = None
    ) -> Message:
        """A document or photo: a new upload, or one sent before, by its file id."""
        if isinstance(upload, str):
            data = self.uploads.get(upload)
            if data is None:
                raise TelegramBadRequest(
                    method=methods.GetFile(file_id=upload),
                    message="Bad Request: wrong file identifier/HTTP URL specified",
                )
            sent = SentFile(int(chat_id), upload, data, caption)
        elif isinstance(upload, BufferedInputFile):
            sent = SentFile(int(chat_id), upload.filename or "", upload.data, caption)
        else:
            raise NotImplementedError("LocalTelegram takes files as BufferedInputFile or file ids")
        self.files.append(sent)
        if self.on_file is not None:
            self.on_file(sent)
        inline = markup if isinstance(markup, InlineKeyboardMarkup) else None
        shown = Shown(int(chat_id), self._next_id, caption or "", inline)
        self._next_id += 1
        if isinstance(upload, str):  # a broadcast's photo or document: a message with buttons
            self._chats.setdefault(int(chat_id), _Chat()).messages[shown.message_id] = shown
            self._notify(shown, edited=False)
        return self._message(bot, shown)

    def _GetFile(self, bot: Bot, method: methods.GetFile) -> File:  # noqa: N802
        data = self.uploads.get(method.file_id)
        if data is None:
            raise TelegramBadRequest(method=method, message="Bad Request: invalid file_id")
        return File(
            file_id=method.file_id,
            file_unique_id=method.file_id,
            file_size=len(data),
            file_path=method.file_id,
        )

    def _SendDocument(self, bot: Bot, method: methods.SendDocument) -> Message:  # noqa: N802
        return self._file(bot, method.chat_id, method.document, method.caption, method.reply_markup)

    def _SendPhoto(self, bot: Bot, method: methods.SendPhoto) -> Message:  # noqa: N802
        return self._file(bot, method.chat_id, method.photo, method.caption, method.reply_markup)

    def _SetMyCommands(self, bot: Bot, method: methods.SetMyCommands) -> bool:  # noqa: N802
        self.commands[_scope_key(method.scope)] = [c.command for c in method.commands]
        return True

    def _DeleteMyCommands(self, bot: Bot, method: methods.DeleteMyCommands) -> bool:  # noqa: N802
        self.commands.pop(_scope_key(method.scope), None)
        return True

    def _DeleteWebhook(self, bot: Bot, method: methods.DeleteWebhook) -> bool:  # noqa: N802
        return True

    def _DeleteMessage(self, bot: Bot, method: methods.DeleteMessage) -> bool:  # noqa: N802
        chat = self._chats.get(int(method.chat_id))
        if chat is None or chat.messages.pop(method.message_id, None) is None:
            raise TelegramBadRequest(
                method=method, message="Bad Request: message to delete not found"
            )
        return True


def _scope_key(scope: Any) -> str:
    if scope is None:
        return "default"
    kind = str(getattr(scope.type, "value", scope.type))
    chat_id = getattr(scope, "chat_id", None)
    return f"{kind}:{chat_id}" if chat_id is not None else kind


#: The tags Telegram's HTML parse mode accepts; anything else, and a "<" that opens no tag, is
#: refused with "can't parse entities" (so an unescaped title fails here as it would there).
_TELEGRAM_TAGS = frozenset(
    [
        *("b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a"),
        *("code", "pre", "span", "tg-spoiler", "tg-emoji", "blockquote"),
    ]
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z-]*)(?:\s[^<>]*)?>")


def _check_html(bot: Bot, method: TelegramMethod[Any]) -> None:
    parse_mode = getattr(method, "parse_mode", None)
    if isinstance(parse_mode, Default):
        parse_mode = bot.default[parse_mode.name]
    if parse_mode != ParseMode.HTML:
        return
    text = getattr(method, "text", None) or getattr(method, "caption", None) or ""
    open_tags: list[str] = []
    position = text.find("<")
    while position != -1:
        tag = _TAG.match(text, position)
        if tag is None or tag.group(2).lower() not in _TELEGRAM_TAGS:
            raise TelegramBadRequest(
                method=method,
                message=f"Bad Request: can't parse entities: unsupported start tag at byte "
                f"offset {position}",
            )
        name = tag.group(2).lower()
        if tag.group(1):
            if not open_tags or open_tags.pop() != name:
                raise TelegramBadRequest(
                    method=method,
                    message=f"Bad Request: can't parse entities: unmatched end tag </{name}>",
                )
        else:
            open_tags.append(name)
        position = text.find("<", tag.end())
    if open_tags:
        raise TelegramBadRequest(
            method=method,
            message=f"Bad Request: can't parse entities: <{open_tags[-1]}> is not closed",
        )
