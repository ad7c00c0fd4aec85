"""A screen is a `View` (text and rows of buttons); `show` puts it on the user's screen: it edits
the message the button was on, or sends a new one.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeAlias

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from db.channels import MAX, channel_of
from handlers.callbacks import Nav, Page
from locales import Texts

log = logging.getLogger(__name__)

Event: TypeAlias = Message | CallbackQuery
Row: TypeAlias = list[tuple[str, CallbackData]]

#: Errors after which a new message is sent instead (the old one is gone or too old to edit).
_CANNOT_EDIT = ("message to edit not found", "message can't be edited", "there is no text")


@dataclass(frozen=True, slots=True)
class View:
    """One screen: its text (HTML) and its buttons, row by row."""

    text: str
    rows: list[Row] = field(default_factory=list)
    #: Web links, a (label, URL) button each, above the other buttons.
    links: list[tuple[str, str]] = field(default_factory=list)

    def noted(self, note: str | None) -> View:
        """The same screen with a line above it (what just happened: «Сохранено.»)."""
        return View(f"{note}\n\n{self.text}", self.rows, self.links) if note else self

    def markup(self) -> InlineKeyboardMarkup | None:
        if not self.rows and not self.links:
            return None
        markup = keyboard(*self.rows)
        if self.links:
            markup.inline_keyboard[:0] = [
                [InlineKeyboardButton(text=label, url=url)] for label, url in self.links
            ]
        return markup


async def show(event: Event, view: View, *, new: bool = False) -> None:
    """Edit the screen the user tapped on (a flow stays in one message); for a typed message
    or `new=True`, send a new one. "Message is not modified" counts as success.
    """
    text, markup = view.text, view.markup()
    if isinstance(event, CallbackQuery) and not new and isinstance(event.message, Message):
        try:
            await event.message.edit_text(text, reply_markup=markup)
            return
        except TelegramBadRequest as error:
            if "message is not modified" in error.message:
                return
            if not any(reason in error.message for reason in _CANNOT_EDIT):
                raise
            log.info("cannot edit message, sending a new one: %s", error.message)
    if isinstance(event, Message):
        await event.answer(text, reply_markup=markup)
        return
    sender = event.bot
    assert sender is not None
    await sender.send_message(event.from_user.id, text, reply_markup=markup)


#: Every callback button is a copy of this one with its label and data: copying skips the
#: validation aiogram runs on each new button (walking its dozen optional fields), a third of
#: the keyboard's cost on the questionnaire's path. Labels are str and data is what
#: CallbackData.pack() returns, so there is nothing to validate.
_BUTTON = InlineKeyboardButton(text="-", callback_data="-")


def keyboard(*rows: Row) -> InlineKeyboardMarkup:
    """Rows of (label, callback data) pairs. (Built directly: InlineKeyboardBuilder deep-copies
    every button, which shows on the questionnaire's hot path.)"""
    button = _BUTTON.model_copy
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [button(update={"text": label, "callback_data": data.pack()}) for label, data in row]
            for row in rows
            if row
        ]
    )


#: Longest button label before it is cut (Telegram shows about this much on a phone).
LABEL = 56


def fit_label(text: str, limit: int = LABEL) -> str:
    """A button label, cut with «…» when longer than a phone shows."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def menu_row(texts: Texts) -> Row:
    return [(texts("btn-menu"), Nav(to=Page.MENU))]


def back_row(texts: Texts, to: CallbackData) -> Row:
    return [(texts("btn-back"), to)]


async def deep_link(bot: Bot, code: str) -> str:
    """The link that opens the bot with /start <code> (an event, an invite): `t.me/<bot>` in
    Telegram, `max.ru/<bot>` in MAX (whose bot has a MAX user's negative id)."""
    me = await bot.me()
    host = "max.ru" if channel_of(me.id) == MAX else "t.me"
    return f"https://{host}/{me.username}?start={code}"


async def deep_links(bot: Bot, code: str, channel_bots: Mapping[str, Bot] | None) -> list[str]:
    """The link in every messenger the bot runs in (`channel_bots`, set by the runner when
    there are several), else in the one it was asked from."""
    bots = list(channel_bots.values()) if channel_bots else [bot]
    return [await deep_link(each, code) for each in bots]
