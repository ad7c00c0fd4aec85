"""Settings from the environment (or a `.env` file). Created once at start and passed down."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/profnavigator.sqlite3"
#: Messages a second Telegram allows a bot without paid broadcasts.
FREE_RATE = 30
#: What Telegram accepts as a webhook's secret_token: 1-256 of A-Z, a-z, 0-9, _ and -.
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
#: Paths the bot's web server answers itself (the webhook may not take them).
SERVICE_PATHS = frozenset({"/healthz", "/metrics"})


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
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="text: one readable line per record; json: one JSON object per line.",
    )
    quiz_reminder_hours: int = Field(
        default=24,
        ge=0,
        description="Remind once about an unfinished questionnaire after so many hours; 0: never.",
    )
    scheduler_tick_seconds: int = Field(default=60, ge=5)
    send_rate_per_second: float = Field(
        default=25.0,
        gt=0,
        le=1000,
        description="Messages per second the outbox sends at most, overall (Telegram: about 30; "
        "up to 1000 with ALLOW_PAID_BROADCAST).",
    )
    allow_paid_broadcast: bool = Field(
        default=False,
        description="Send the outbox with Telegram's allow_paid_broadcast (up to 1000 messages "
        "a second, paid in Telegram Stars); needed for a SEND_RATE_PER_SECOND above 30.",
    )
    outbox_poll_seconds: float = Field(
        default=2.0,
        ge=0.2,
        le=60,
        description="How often the outbox is checked for messages that are due.",
    )
    outbox_retry_seconds: float = Field(
        default=5.0,
        gt=0,
        description="First pause after a passing failure (5xx, timeout); doubled each time.",
    )
    outbox_attempts: int = Field(
        default=5,
        ge=1,
        le=20,
        description="Tries of one message through passing failures before it counts as failed.",
    )
    outbox_lease_seconds: int = Field(
        default=300,
        ge=1,
        description="A message whose sending began this long ago and never finished (the bot "
        "was killed) is recorded as failed, 'interrupted', and not sent again.",
    )
    update_lease_seconds: float = Field(
        default=15.0,
        ge=0.5,
        le=600,
        description="Webhook mode: an update a process took in hand and stopped working on "
        "this long ago (it was killed) is handled again when Telegram delivers it again; while "
        "a process works on one it renews its claim every third of this.",
    )
    rejected_updates_keep_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="Days an update the bot could not read (kept in the database with its "
        "sender's data, for inspection) is kept before it is deleted.",
    )
    telegram_timeout_seconds: int = Field(
        default=30,
        ge=1,
        le=300,
        description="How long one request to the Bot API may take.",
    )

    admin_ids: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(),
        description="Telegram ids of the administrators, comma-separated.",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis for dialog state (redis://host:6379/0); the database keeps it if unset.",
    )
    event_reminder_hours: Annotated[tuple[int, ...], NoDecode] = Field(
        default=(24, 2),
        description="Hours before an event at which everyone signed up is reminded; empty: none.",
    )

    # --- Backups (python -m bot backup, db/backup.py) -------------------------------------------
    backup_dir: Path = Field(
        default=Path("data/backups"),
        description="Where `python -m bot backup` writes its timestamped files.",
    )
    backup_keep: int = Field(
        default=14,
        ge=1,
        description="How many of the newest backups `python -m bot backup` keeps in BACKUP_DIR; "
        "older ones are deleted after each backup.",
    )

    # --- webhook mode and the operator's endpoints (bot/webhook.py, bot/metrics.py) ---------
    webhook_url: str | None = Field(
        default=None,
        description="Public https URL Telegram sends updates to; set, the bot runs in webhook "
        "mode instead of long polling.",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="Telegram's secret_token for the webhook (1-256 of A-Z a-z 0-9 _ -); "
        "required with WEBHOOK_URL.",
    )
    webhook_host: str = Field(default="127.0.0.1", description="Address the webhook listens on.")
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_path: str | None = Field(
        default=None,
        description="Path the webhook is served at; default: the path of WEBHOOK_URL.",
    )
    metrics_host: str = Field(default="127.0.0.1")
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Serve /healthz and /metrics on this port (in webhook mode they are on the "
        "webhook's port when unset; in polling mode not served when unset).",
    )

    # --- MAX (bot/max/) ------------------------------------------------------------------------
    max_bot_token: SecretStr | None = Field(
        default=None,
        description="Token of the bot in MAX (business.max.ru → Чат-боты → Интеграция); with "
        "BOT_TOKEN as well, the bot runs in both messengers in one process.",
    )
    max_api_url: str = Field(
        default="https://platform-api2.max.ru",
        description="MAX Bot API server (MAX has moved it before: botapi → platform-api → "
        "platform-api2).",
    )
    max_ca_file: str | None = Field(
        default=None,
        description="A PEM file of certificate authorities to trust for MAX_API_URL besides the "
        "system's (MAX's servers use the Russian Trusted Root CA); the certificate is always "
        "verified.",
    )
    max_message_keep_days: int = Field(
        default=7,
        ge=0,
        description="Days the MAX id of a message the bot sent or was sent is kept (to edit "
        "it in place); 0: for ever. MAX edits a message without buttons for 7 days only, and a "
        "message with buttons brings its id back with every tap.",
    )

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _id_list(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
        return value

    @field_validator(
        "redis_url",
        "max_ca_file",
        "max_bot_token",
        "webhook_url",
        "webhook_secret",
        "webhook_path",
        "metrics_port",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("event_reminder_hours", mode="before")
    @classmethod
    def _hours_list(cls, value: object) -> object:
        if isinstance(value, str):
            hours = [int(part) for part in value.replace(" ", "").split(",") if part]
            if any(h <= 0 for h in hours):
                raise ValueError("reminder hours must be positive")
            return tuple(sorted(set(hours), reverse=True))
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @model_validator(mode="after")
    def _paid_rate(self) -> Settings:
        if self.send_rate_per_second > FREE_RATE and not self.allow_paid_broadcast:
            raise ValueError(
                f"SEND_RATE_PER_SECOND above {FREE_RATE} needs ALLOW_PAID_BROADCAST=true "
                "(Telegram allows about 30 messages a second otherwise)"
            )
        if self.outbox_lease_seconds <= self.telegram_timeout_seconds:
            raise ValueError("OUTBOX_LEASE_SECONDS must be longer than TELEGRAM_TIMEOUT_SECONDS")
        self._check_webhook()
        return self

    def _check_webhook(self) -> None:
        if self.webhook_url is None:
            return
        parts = urlsplit(self.webhook_url)
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError("WEBHOOK_URL must be an https:// URL (Telegram sends to https only)")
        secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
        if not WEBHOOK_SECRET_PATTERN.fullmatch(secret):
            raise ValueError(
                "WEBHOOK_SECRET is required with WEBHOOK_URL: 1 to 256 characters of "
                "A-Z, a-z, 0-9, _ and - (what Telegram accepts as a secret_token)"
            )
        path = self.webhook_listen_path
        if not path.startswith("/") or path in SERVICE_PATHS:
            raise ValueError(
                f"WEBHOOK_PATH {path!r} must start with / and be neither /healthz nor /metrics"
            )

    @property
    def webhook_listen_path(self) -> str:
        """The path the webhook is served at: WEBHOOK_PATH, or the path of WEBHOOK_URL."""
        if self.webhook_path is not None:
            return self.webhook_path
        return urlsplit(self.webhook_url or "").path or "/"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
