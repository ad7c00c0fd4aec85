"""What an operator watches: Prometheus metrics and the health check.

One `Metrics` per `App` (its own `CollectorRegistry`, not prometheus-client's global one, so
that several apps in one process — the tests — do not collide). What it counts:

- updates handled, by kind, and the time each took (a dispatcher middleware, `UpdateMetrics`,
  registered in `bot.factory.create_dispatcher`), and the updates whose handler failed;
- updates set aside because aiogram could not parse them, and webhook requests by answer;
- messages the outbox sender tried, by outcome and reason (`OutboxSender.observe`);
- the scheduler's lag: when a job started minus when it was due (APScheduler's job events);
- at scrape time, from the database: the outbox's queue (rows due now, rows waiting for a
  later time) and how long its oldest due row has waited (`OutboxRepository.queue_stats`,
  read from the partial index of the due rows).

`/healthz` answers 200 when a `SELECT 1` on the database succeeds within `HEALTH_TIMEOUT`
seconds, 503 otherwise. Both are served by `web_routes()` (bot/webhook.py, or a small server
of their own at METRICS_PORT).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from aiohttp import web
from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
    JobSubmissionEvent,
)
from apscheduler.schedulers.base import BaseScheduler
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from db.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

#: Every metric's name starts with this.
PREFIX = "profnavigator"
#: How long the health check and the outbox's figures may take before they count as failed.
HEALTH_TIMEOUT = 2.0
#: Buckets of the handler time (seconds): most updates take a few milliseconds.
HANDLER_BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
#: Buckets of the scheduler's lag (seconds).
LAG_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

#: Update kinds whose series are shown before the first update arrives.
SEEN_KINDS = ("message", "callback_query")

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class Metrics:
    """The process's metrics, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.updates = Counter(
            f"{PREFIX}_updates", "Updates handled, by kind.", ["kind"], registry=r
        )
        self.update_errors = Counter(
            f"{PREFIX}_update_errors",
            "Updates whose handling raised an exception, by kind.",
            ["kind"],
            registry=r,
        )
        self.handler_seconds = Histogram(
            f"{PREFIX}_handler_seconds",
            "Time to handle one update (all middlewares and the handler), by kind.",
            ["kind"],
            buckets=HANDLER_BUCKETS,
            registry=r,
        )
        self.rejected_updates = Counter(
            f"{PREFIX}_rejected_updates",
            "Updates the bot could not read (Telegram's that aiogram cannot parse, MAX's "
            "without MAX's documented shape): logged, kept in the table rejected_updates.",
            registry=r,
        )
        self.rejected_updates_lost = Counter(
            f"{PREFIX}_rejected_updates_lost",
            "Rejected updates not kept in the table rejected_updates (the database refused or "
            "was too slow, or the bot stopped first): only their log line is left.",
            registry=r,
        )
        self.webhook_requests = Counter(
            f"{PREFIX}_webhook_requests",
            "Requests to the webhook, by HTTP status answered (401: wrong or no secret).",
            ["status"],
            registry=r,
        )
        self.outbox_messages = Counter(
            f"{PREFIX}_outbox_messages",
            "Messages the outbox tried to send, by outcome (sent, blocked, failed, retry, "
            "dropped) and reason.",
            ["outcome", "reason"],
            registry=r,
        )
        self.outbox_due = Gauge(
            f"{PREFIX}_outbox_due_messages",
            "Messages in the outbox due now and not yet sent (read at scrape time).",
            registry=r,
        )
        self.outbox_waiting = Gauge(
            f"{PREFIX}_outbox_waiting_messages",
            "Messages in the outbox due later (scheduled, or waiting to be tried again).",
            registry=r,
        )
        self.outbox_oldest = Gauge(
            f"{PREFIX}_outbox_oldest_due_seconds",
            "How long the oldest due message has waited (0: none due).",
            registry=r,
        )
        self.outbox_read_ok = Gauge(
            f"{PREFIX}_outbox_read_ok",
            "1 if the outbox figures were read from the database at this scrape, else 0.",
            registry=r,
        )
        self.scheduler_lag = Histogram(
            f"{PREFIX}_scheduler_lag_seconds",
            "When a scheduled job started minus when it was due, by job.",
            ["job"],
            buckets=LAG_BUCKETS,
            registry=r,
        )
        self.scheduler_skipped = Counter(
            f"{PREFIX}_scheduler_skipped_runs",
            "Runs of a scheduled job not made, by job and reason (missed, still_running).",
            ["job", "reason"],
            registry=r,
        )
        self.scheduler_errors = Counter(
            f"{PREFIX}_scheduler_job_errors",
            "Scheduled job runs that raised an exception, by job.",
            ["job"],
            registry=r,
        )

        for kind in SEEN_KINDS:  # shown from 0, so that a rate of errors has a base
            self.updates.labels(kind)
            self.update_errors.labels(kind)
            self.handler_seconds.labels(kind)

    # --- hooks ----------------------------------------------------------------------------------

    def middleware(self) -> UpdateMetrics:
        return UpdateMetrics(self)

    def outbox_delivery(self, outcome: str, reason: str) -> None:
        """The outbox sender's hook: one message tried (bot/sender.py)."""
        self.outbox_messages.labels(outcome, reason).inc()

    def watch_scheduler(self, scheduler: BaseScheduler) -> None:
        scheduler.add_listener(self._on_submitted, EVENT_JOB_SUBMITTED)
        scheduler.add_listener(
            self._on_skipped, EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_ERROR
        )

    def _on_submitted(self, event: JobSubmissionEvent) -> None:
        # With coalescing, one run stands for every due time it covers: the earliest is how
        # long the job has been due.
        due = min(event.scheduled_run_times)
        lag = (datetime.now(UTC) - due).total_seconds()
        self.scheduler_lag.labels(event.job_id).observe(max(lag, 0.0))

    def _on_skipped(self, event: JobEvent) -> None:
        if event.code == EVENT_JOB_ERROR:
            self.scheduler_errors.labels(event.job_id).inc()
            return
        reason = "missed" if event.code == EVENT_JOB_MISSED else "still_running"
        self.scheduler_skipped.labels(event.job_id, reason).inc()

    # --- scrape ---------------------------------------------------------------------------------

    async def scrape(self, uow_factory: UnitOfWorkFactory, now: datetime) -> bytes:
        """The text exposition, with the outbox figures read now."""
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT):
                async with uow_factory() as uow:
                    stats = await uow.outbox.queue_stats(now)
        except Exception as error:  # the database is down or slow: say so, serve the rest
            log.warning("metrics: the outbox figures could not be read (%s)", error)
            self.outbox_read_ok.set(0)
        else:
            self.outbox_due.set(stats.due)
            self.outbox_waiting.set(stats.waiting)
            oldest = stats.oldest_due
            self.outbox_oldest.set(
                0 if oldest is None else max(0.0, (now - oldest).total_seconds())
            )
            self.outbox_read_ok.set(1)
        return generate_latest(self.registry)


class UpdateMetrics(BaseMiddleware):
    """An outer middleware of the dispatcher's updates: counts each update by kind, times it,
    and counts the ones whose handling raised (the exception goes on to the errors router)."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        kind = event.event_type if isinstance(event, Update) else type(event).__name__
        started = time.perf_counter()
        try:
            return await handler(event, data)
        except Exception:
            self._metrics.update_errors.labels(kind).inc()
            raise
        finally:
            self._metrics.handler_seconds.labels(kind).observe(time.perf_counter() - started)
            self._metrics.updates.labels(kind).inc()


async def database_reachable(engine: AsyncEngine, within: float = HEALTH_TIMEOUT) -> str | None:
    """None if `SELECT 1` succeeds within `within` seconds, else what went wrong."""
    try:
        async with asyncio.timeout(within):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except TimeoutError:
        return f"no answer within {within:g} s"
    except Exception as error:
        return f"{type(error).__name__}: {error}"[:300]
    return None


def web_routes(
    metrics: Metrics,
    engine: AsyncEngine,
    uow_factory: UnitOfWorkFactory,
    clock: Callable[[], datetime],
    mode: str,
) -> list[web.RouteDef]:
    """GET /healthz and GET /metrics, for an aiohttp application."""
    started = time.monotonic()

    async def healthz(_request: web.Request) -> web.Response:
        problem = await database_reachable(engine)
        body: dict[str, Any] = {
            "status": "ok" if problem is None else "unavailable",
            "database": "ok" if problem is None else problem,
            "mode": mode,
            "uptime_seconds": round(time.monotonic() - started, 1),
        }
        return web.json_response(body, status=200 if problem is None else 503)

    async def scrape(_request: web.Request) -> web.Response:
        body = await metrics.scrape(uow_factory, clock())
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return [web.get("/healthz", healthz), web.get("/metrics", scrape)]
