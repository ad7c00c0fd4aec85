"""Every setting is documented in config.example.env and the README, and read from the env."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def example_keys() -> set[str]:
    text = (ROOT / "config.example.env").read_text(encoding="utf-8")
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, re.MULTILINE))


def test_every_setting_is_in_the_example_and_the_readme() -> None:
    settings = {name.upper() for name in Settings.model_fields}
    assert example_keys() == settings
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert sorted(key for key in settings if f"`{key}`" not in readme) == []


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    monkeypatch.setenv("QUIZ_REMINDER_HOURS", "0")
    settings = Settings(_env_file=None)
    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == "123:abc"
    assert "123:abc" not in repr(settings)
    assert settings.quiz_reminder_hours == 0


def test_a_wrong_time_zone_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEZONE", "Asia/Nowhere")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


def test_lists_are_read_as_people_write_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "101, 202,")
    monkeypatch.setenv("EVENT_REMINDER_HOURS", "2, 24")
    monkeypatch.setenv("REDIS_URL", "")
    settings = Settings(_env_file=None)
    assert settings.admin_ids == frozenset({101, 202})
    assert settings.event_reminder_hours == (24, 2)
    assert settings.redis_url is None


def test_an_empty_reminder_list_switches_event_reminders_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EVENT_REMINDER_HOURS", "")
    assert Settings(_env_file=None).event_reminder_hours == ()


@pytest.mark.parametrize(
    ("name", "value"), [("ADMIN_IDS", "one,two"), ("EVENT_REMINDER_HOURS", "-2")]
)
def test_a_malformed_list_is_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings(_env_file=None)
