"""The demo chat, started the way the README says, driven through its terminal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
    assert "Здравствуйте! Это Профнавигатор" in out
    assert "Согласие на обработку персональных данных" in out
    assert "[1] 🎒 Я школьник" in out
    assert "Главное меню" in out
    assert "вопрос 1 / 20" in out
    assert "вопрос 2 / 20" in out
    assert "нажмите кнопку с буквой" in out
    assert "До встречи!" in out
    assert "Traceback" not in result.stderr
    assert database.exists()
