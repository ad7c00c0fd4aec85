"""User-facing text: Fluent (.ftl) files per language, loaded once and injected into handlers.

Coordinators reword the bot by editing `locales/ru/*.ftl`; no code changes are needed.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax.ast import Junk, Resource

LOCALES_DIR = Path(__file__).parent
log = logging.getLogger(__name__)


@lru_cache(maxsize=64)
def _parse(source: str) -> Resource:
    """A file's messages, parsed once per process for the same text (parsing the Russian files
    takes a fifth of a second; a bundle only reads the tree it is given)."""
    return FluentResource(source)


class Texts:
    """`texts("key", name=value)` formats one message; a missing key is a programming error."""

    def __init__(self, lang: str = "ru", tz: ZoneInfo | None = None, directory: Path = LOCALES_DIR):
        self.lang = lang
        self.tz = tz or ZoneInfo("Asia/Irkutsk")
        self._bundle = FluentBundle([lang], use_isolating=False)
        files = sorted((directory / lang).glob("*.ftl"))
        if not files:
            raise FileNotFoundError(f"no .ftl files in {directory / lang}")
        # The same screens are formatted over and over (a questionnaire's questions, buttons):
        # remember recent results; the texts never change while the process runs.
        self._formatted = lru_cache(maxsize=4096)(lambda key, items: self._format(key, dict(items)))
        # Dates repeat as much (every card and list shows its events' times): the same.
        self._dates = lru_cache(maxsize=4096)(
            lambda moment, pattern: str(
                format_datetime(moment.astimezone(self.tz), pattern, locale=self.lang)
            )
        )
        for path in files:
            resource = _parse(path.read_text(encoding="utf-8"))
            junk = [e for e in resource.body if isinstance(e, Junk)]
            if junk:
                raise ValueError(f"{path.name}: cannot parse {str(junk[0].content)[:80]!r}")
            self._bundle.add_resource(resource)

    def has(self, key: str) -> bool:
        return bool(self._bundle.has_message(key))

    def __call__(self, key: str, **args: Any) -> str:
        try:
            return self._formatted(key, tuple(sorted(args.items())))
        except TypeError:  # an unhashable argument: format without the cache
            return self._format(key, args)

    def _format(self, key: str, args: dict[str, Any]) -> str:
        message = self._bundle.get_message(key)
        if message.value is None:
            raise KeyError(key)
        text, errors = self._bundle.format_pattern(message.value, args)
        if errors:
            log.error("text %r: %s", key, errors)
        return str(text)

    def when(self, moment: datetime, pattern: str = "EEE, d MMMM, HH:mm") -> str:
        """A date in words, in local time: «вт, 25 ноября, 15:00»."""
        return self._dates(moment, pattern)

    def month_name(self, day: date) -> str:
        """«Декабрь 2026» (the month as a calendar's title)."""
        return str(format_date(day, "LLLL y", locale=self.lang)).capitalize()

    def date(self, moment: datetime) -> str:
        """«23 ноября 2026»."""
        return self.when(moment, "d MMMM y")
