"""Settings from the environment (or a `.env` file). Created once at start and passed down."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/profnavigator.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    bot_token: SecretStr | None = Field(
        default=None, description="Token from @BotFather; not needed for the demo chat."
    )
    telegram_api_url: str = Field(
        default="https://api.telegram.org",
        description="Bot API server; point it at a local telegram-bot-api server if you run one.",
    )
    database_url: str = Field(default=DEFAULT_DATABASE_URL)
    timezone: str = Field(default="Asia/Irkutsk")
    language: str = Field(default="ru")
    log_level: str = Field(default="INFO")
    quiz_reminder_hours: int = Field(
        default=24,
        ge=0,
        description="Remind once about an unfinished questionnaire after so many hours; 0: never.",
    )
    scheduler_tick_seconds: int = Field(default=60, ge=5)
    send_rate_per_second: float = Field(
        default=25.0,
        gt=0,
        le=30,
        description="Upper bound of the bot's own scheduled messages per second (Telegram: ~30).",
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
