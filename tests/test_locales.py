"""Every text the code asks for exists in the locale files, and no text there is dead."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from db.models import SELF_SERVICE_ROLES
from handlers.commands import MEMBER_COMMANDS, PUBLIC_COMMANDS
from locales import Texts

ROOT = Path(__file__).resolve().parents[1]
USE = re.compile(r'(?:texts|toast)\(\s*"([a-z0-9-]+)"')
#: A key named in code and passed on (`BroadcastRefused("broadcast-nobody")`, a chosen key).
LITERAL = re.compile(r"[\"']([a-z][a-z0-9]*(?:-[a-z0-9]+)+)[\"']")
PROBLEM = re.compile(r'Problem\(\s*"([a-z0-9-]+)"')
DEFINED = re.compile(r"^([a-z][a-z0-9-]*) =", re.MULTILINE)


def used_keys() -> set[str]:
    keys: set[str] = set()
    for folder in ("handlers", "bot", "services"):
        for path in (ROOT / folder).rglob("*.py"):
            code = path.read_text(encoding="utf-8")
            keys |= set(USE.findall(code))
            keys |= set(LITERAL.findall(code)) & defined_keys()
    keys |= {f"role-{role}" for role in SELF_SERVICE_ROLES}
    # A problem with an event as filled in is shown by its name: event-problem-<name>.
    for path in (ROOT / "services").rglob("*.py"):
        keys |= {f"event-problem-{name}" for name in PROBLEM.findall(path.read_text("utf-8"))}
    keys |= {f"cmd-{name}" for name in (*PUBLIC_COMMANDS, *MEMBER_COMMANDS)}
    return keys


def defined_keys() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "locales" / "ru").glob("*.ftl"):
        found |= set(DEFINED.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_text_the_code_uses_exists() -> None:
    texts = Texts()
    missing = sorted(key for key in used_keys() if not texts.has(key))
    assert missing == []


def test_no_text_is_left_unused() -> None:
    assert sorted(defined_keys() - used_keys()) == []


def test_russian_plurals() -> None:
    texts = Texts()

    def intro(total: int, author: str = "none", duration: str = "none") -> str:
        return texts(
            "quiz-intro",
            title="Т",
            author=author,
            summary="С",
            instruction="И",
            duration=duration,
            total=total,
        )

    assert "<i>1 вопрос.</i>" in intro(1)
    assert "<i>3 вопроса.</i>" in intro(3)
    assert "<i>5 вопросов.</i>" in intro(5)
    assert "<i>22 вопроса.</i>" in intro(22)
    assert "<i>Автор: Е. А. Климов. 20 вопросов, 5–10 минут.</i>" in intro(
        20, author="Е. А. Климов", duration="5–10 минут"
    )


def test_counts_agree_with_their_nouns() -> None:
    texts = Texts()
    assert texts("bank", count=21).split("\n")[2].startswith("21 профессия:")
    assert texts("bank", count=64).split("\n")[2].startswith("64 профессии:")
    assert texts("bank", count=55).split("\n")[2].startswith("55 профессий:")
    assert "21 профессия, страница 1 из 3." in texts(
        "bank-type", title="Т", count=21, page=1, pages=3
    )
    assert "5 профессий. 🔥" in texts("bank-type", title="Т", count=5, page=1, pages=1)
    assert "Сейчас в списке 1 программа." in texts("adults", programmes=1)
    assert "Сейчас в списке 3 программы." in texts("adults", programmes=3)
    assert texts("btn-consultations", count=1).endswith("(1 новая)")
    assert texts("btn-consultations", count=2).endswith("(2 новые)")
    assert texts("btn-consultations", count=5).endswith("(5 новых)")
    assert "Подходят вам: 1. " in texts("events-list", count=1, kind="all", page=1, pages=1)
    assert "страница 2 из 3" in texts("events-list", count=25, kind="all", page=2, pages=3)


def test_dates_in_words_and_irkutsk_time() -> None:
    texts = Texts()
    moment = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)  # 15:00 in Irkutsk
    assert texts.when(moment) == "ср, 25 ноября, 15:00"
    assert texts.date(moment) == "25 ноября 2026"
