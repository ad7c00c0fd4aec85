"""The local demo chat: the real dispatcher, database and scheduler, with the terminal as the
Telegram client. Type text to send it; type a button's number to tap it.
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.conversation import ButtonNotFound, Conversation
from bot.factory import create_app, create_bot, create_dispatcher
from bot.local_session import LocalTelegram, SentFile, Shown, Toast
from bot.scheduler import create_scheduler

DEMO_USER_ID = 700_000_001
_TAG = re.compile(r"<[^>]+>")

INTRO = """\
Профнавигатор — демо-чат (без Telegram). Бот работает по-настоящему: база данных, планировщик.
Пишите сообщения как в Telegram; чтобы нажать кнопку, введите её номер. Выход: Ctrl-D или /exit.
"""


def plain(text: str) -> str:
    return html.unescape(_TAG.sub("", text))


class Terminal:
    """Prints the chat and remembers the numbered buttons of the latest screen."""

    def __init__(self, out: object = sys.stdout) -> None:
        self.out = out
        self.buttons: list[tuple[str, str, Shown]] = []

    def _print(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)  # type: ignore[call-overload]

    def show(self, shown: Shown, edited: bool) -> None:
        title = "бот (сообщение обновлено)" if edited else "бот"
        self._print(f"\n┌─ {title} " + "─" * max(0, 50 - len(title)))
        for line in plain(shown.text).splitlines():
            self._print(f"│ {line}")
        if shown.markup is not None:
            self.buttons = [(label, data, shown) for label, data in shown.buttons]
            number = 0
            for row in shown.markup.inline_keyboard:
                cells = []
                for button in row:
                    number += 1
                    cells.append(f"[{number}] {button.text}")
                self._print("│ " + "   ".join(cells))
        self._print("└" + "─" * 56)

    def toast(self, toast: Toast) -> None:
        self._print(f"  💬 {toast.text}")

    def file(self, sent: SentFile) -> None:
        size = f"{len(sent.data) / 1024:.1f} КБ"
        caption = f": {plain(sent.caption)}" if sent.caption else ""
        self._print(f"  📎 файл {sent.filename} ({size}){caption}")


async def _read_line(prompt: str) -> str | None:
    try:
        return await asyncio.to_thread(input, prompt)
    except EOFError:
        return None


async def run_demo(settings: Settings, database_url: str, *, fresh: bool = False) -> int:
    url = make_url(database_url)
    if fresh and url.get_backend_name() == "sqlite" and url.database:
        for suffix in ("", "-wal", "-shm"):
            Path(url.database + suffix).unlink(missing_ok=True)  # noqa: ASYNC240 - before start
    settings = settings.model_copy(update={"database_url": database_url, "bot_token": None})
    app = await create_app(settings)
    telegram = LocalTelegram()
    screen = Terminal()
    telegram.on_show = screen.show
    telegram.on_toast = screen.toast
    telegram.on_file = screen.file
    bot = create_bot(settings, session=telegram)
    dispatcher = create_dispatcher(app)
    jobs = app.scheduled_jobs(bot)
    scheduler = create_scheduler(
        jobs, settings.scheduler_tick_seconds, settings.outbox_poll_seconds
    )
    chat = Conversation(dispatcher, bot, telegram, DEMO_USER_ID)
    print(INTRO)
    await dispatcher.emit_startup(bot=bot, **dispatcher.workflow_data)
    scheduler.start()
    try:
        await chat.send("/start")
        while (line := await _read_line("> ")) is not None:
            line = line.strip()
            if not line:
                continue
            if line in {"/exit", "/quit"}:
                break
            if line.isdigit() and 1 <= int(line) <= len(screen.buttons):
                _, data, shown = screen.buttons[int(line) - 1]
                await chat.press(data, shown)
                continue
            if line.isdigit() and screen.buttons:
                print(f"  (нет кнопки {line}: введите число от 1 до {len(screen.buttons)})")
                continue
            try:
                await chat.send(line)
            except ButtonNotFound as error:  # pragma: no cover - defensive
                print(f"  ({error})")
    finally:
        await jobs.stop()
        scheduler.shutdown(wait=False)
        await dispatcher.emit_shutdown(bot=bot, **dispatcher.workflow_data)
        await app.close()
    print("\nДо встречи!")
    return 0
