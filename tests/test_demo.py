"""The demo chat, started the way the README says, driven through its terminal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.demo import plain
from tests.conftest import TEXTS, consent_text, question_head

ROOT = Path(__file__).resolve().parents[1]


def on_screen(text: str) -> str:
    """A message as the demo prints it: without HTML tags, every line behind the frame."""
    return "\n".join(f"│ {line}" for line in plain(text).splitlines())


def test_a_newcomer_can_register_and_start_the_questionnaire(tmp_path: Path) -> None:
    typed = "\n".join(
        [
            "1",  # Начать →
            "1",  # ✅ Даю согласие
            "1",  # 🎒 Я школьник
            "1",  # the first school
            "5",  # 9 класс
            "1",  # 📝 Пройти: Опросник Климова
            "1",  # Начать
            "2",  # Б
            "как дела?",  # free text mid-questionnaire
            "/exit",
        ]
    )
    database = tmp_path / "demo.sqlite3"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--database-url", f"sqlite+aiosqlite:///{database}"],
        input=typed,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert on_screen(TEXTS("welcome", linked="no")) in out
    assert on_screen(consent_text()) in out
    assert f"[1] {TEXTS('role-student')}" in out
    assert on_screen(TEXTS("menu", role="student", done="no")) in out
    assert on_screen(question_head(1)) in out
    assert on_screen(question_head(2)) in out
    assert on_screen(TEXTS("quiz-use-buttons")) in out
    assert "До встречи!" in out  # the demo's own farewell (bot/demo.py), not a locale text
    assert "Traceback" not in result.stderr
    assert database.exists()
