"""Webhook mode: Telegram POSTs each update to the bot's web server (aiohttp, through aiogram's
`aiogram.webhook.aiohttp_server`), instead of the bot asking for them (bot/polling.py).

- On start the server listens first, then the bot calls setWebhook with WEBHOOK_URL, the
  secret token and the kinds of update its handlers use; pending updates are kept. Several
  processes behind a reverse proxy each do so with the same URL (the same call, harmless);
  none deletes the webhook when it stops, since the others still serve it.
- A request whose `X-Telegram-Bot-Api-Secret-Token` header is missing or wrong gets 401 and
  touches nothing: it is not parsed, nothing is read or written.
- An update is handled inside its request: the answer (200) goes back only once the handler
  has finished and its transaction is committed. So an update is confirmed to Telegram only
  when it is done; if the process dies midway, Telegram delivers it again (to this process
  after a restart, or to another one behind the proxy). aiogram's own handler would answer at
  once and handle it in the background (`handle_in_background`), or do so after 55 s.
- An update aiogram's models reject gets 200 all the same (otherwise Telegram would send it
  again and again), and is logged and kept in the table `rejected_updates` as the poller does
  (`bot.polling.telegram_keeper`), before the answer. So does a body that is not JSON at all
  (or nested too deep to decode), and one larger than `MAX_BODY` (kept without its content,
  which is not read). Whatever goes wrong with a request, it gets 200 and the bot goes on.
- The answer to Telegram is always empty: a handler's calls go through the bot's session like
  in polling (see docs/ARCHITECTURE.md, "Webhook mode", for why not in the answer itself).
- `stop()` stops listening, lets the requests in hand finish (`SHUTDOWN_TIMEOUT` at most) and
  then runs the dispatcher's shutdown hooks; the runner then stops the scheduler.

The same server answers GET /healthz and GET /metrics (bot/metrics.py) unless METRICS_PORT
gives them a port of their own.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from aiogram.methods import TelegramMethod
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.metrics import Metrics, web_routes
from bot.polling import raw_update_id, read_update, telegram_keeper
from bot.rejected import RejectedUpdates, Rejection

if TYPE_CHECKING:
    from aiogram import Bot, Dispatcher
    from aiohttp.web_app import Application

    from bot.factory import App

log = logging.getLogger(__name__)

#: How long a stop waits for the requests in hand (as the poller does for its updates).
SHUTDOWN_TIMEOUT = 30.0
#: The largest request body accepted (an update is a few kilobytes; Telegram's are < 1 MB).
MAX_BODY = 1024**2
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookHandler(SimpleRequestHandler):
    """aiogram's request handler for one bot, with the update handled inside the request, the
    updates it cannot parse set aside, and every answer counted."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        secret_token: str,
        metrics: Metrics,
        rejected: RejectedUpdates,
        **data: Any,
    ) -> None:
        super().__init__(
            dispatcher, bot, handle_in_background=False, secret_token=secret_token, **data
        )
        self.metrics = metrics
        self.rejected = rejected
        self.keeper = telegram_keeper(
            rejected,
            on_rejected=metrics.rejected_updates.inc,
            on_lost=metrics.rejected_updates_lost.inc,
        )

    def register(self, app: Application, /, path: str, **kwargs: Any) -> None:
        """The route only: aiogram's would also close the bot's session when the server
        shuts down, before the requests in hand are finished (the runner closes it later)."""
        app.router.add_route("POST", path, self.handle, **kwargs)

    async def handle(self, request: web.Request) -> web.Response:
        if not self.verify_secret(request.headers.get(SECRET_HEADER, ""), self.bot):
            self.metrics.webhook_requests.labels("401").inc()
            log.warning(
                "webhook: a request from %s without the right secret token refused",
                request.remote,
            )
            return web.Response(text="Unauthorized", status=401)
        try:
            response = await self._handle_request(self.bot, request)
        except Exception:  # a bug: Telegram would send the update again and again
            log.exception("webhook: a request from Telegram failed; answered 200")
            response = _empty()
        self.metrics.webhook_requests.labels(str(response.status)).inc()
        return response

    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            size = request.content_length
            more = f" ({size} bytes)" if size is not None else ""
            error = ValueError(f"the body{more} is larger than {MAX_BODY} bytes")
            await self.keeper.keep(Rejection("", error))
            return _empty()
        try:
            raw: Any = bot.session.json_loads(body)
        except Exception as error:  # not JSON (ValueError), or nested too deep (RecursionError)
            await self.keeper.keep(Rejection(body.decode("utf-8", errors="replace"), error))
            return _empty()
        try:
            update = read_update(raw, bot)
        except Exception as error:  # a ValidationError, or a bug in a validator
            await self.keeper.keep(Rejection(raw, error, raw_update_id(raw)))
            return _empty()
        try:
            result = await self.dispatcher.feed_update(bot, update, **self.data)
            if isinstance(result, TelegramMethod):  # a handler's answer meant for a webhook
                await self.dispatcher.silent_call_request(bot, result)
        except Exception:
            # Past aiogram's errors middleware (the errors router handles what handlers
            # raise): logged like the poller does; Telegram is not asked to send it again.
            log.exception("update %d failed", update.update_id)
        return _empty()


def _empty() -> web.Response:
    return web.json_response({})


class WebhookServer:
    """The bot's web server in webhook mode: `start()`, then `stop()` once."""

    def __init__(
        self,
        app: App,
        dispatcher: Dispatcher,
        bot: Bot,
        **data: Any,
    ) -> None:
        settings = app.settings
        assert settings.webhook_url is not None
        assert settings.webhook_secret is not None
        self.app = app
        self.dispatcher = dispatcher
        self.bot = bot
        self.url = settings.webhook_url
        self.secret = settings.webhook_secret.get_secret_value()
        self.data: dict[str, Any] = {"bots": (bot,), **data}
        rejected = RejectedUpdates(app.uow_factory, app.clock)
        handler = WebhookHandler(dispatcher, bot, self.secret, app.metrics, rejected, **self.data)
        self.web_app = web.Application(client_max_size=MAX_BODY)
        handler.register(self.web_app, path=settings.webhook_listen_path)
        if settings.metrics_port is None:
            self.web_app.add_routes(
                web_routes(app.metrics, app.engine, app.uow_factory, app.clock, "webhook")
            )
        self._runner = web.AppRunner(
            self.web_app, access_log=None, handle_signals=False, shutdown_timeout=SHUTDOWN_TIMEOUT
        )
        self._started = False
        self._set_up = False

    @property
    def port(self) -> int:
        """The port it listens on (WEBHOOK_PORT, or the one chosen for port 0)."""
        return int(self._runner.addresses[0][1])

    async def start(self) -> None:
        settings = self.app.settings
        await self.dispatcher.emit_startup(
            bot=self.bot, dispatcher=self.dispatcher, **self.dispatcher.workflow_data, **self.data
        )
        self._started = True
        await self._runner.setup()
        self._set_up = True
        site = web.TCPSite(self._runner, settings.webhook_host, settings.webhook_port)
        await site.start()
        allowed_updates = self.dispatcher.resolve_used_update_types()
        await self.bot.set_webhook(
            self.url,
            secret_token=self.secret,
            allowed_updates=allowed_updates,
            drop_pending_updates=False,
        )
        me = await self.bot.me()
        log.info(
            "webhook of @%s at %s, listening on %s:%d%s, for %s",
            me.username,
            self.url,
            settings.webhook_host,
            self.port,
            settings.webhook_listen_path,
            ", ".join(allowed_updates),
        )

    async def stop(self) -> None:
        """Stop listening, finish the requests in hand, then the dispatcher's shutdown hooks."""
        log.info("webhook: no new requests; finishing the updates in hand")
        if self._set_up:
            await self._runner.cleanup()
        if self._started:
            await self.dispatcher.emit_shutdown(
                bot=self.bot,
                dispatcher=self.dispatcher,
                **self.dispatcher.workflow_data,
                **self.data,
            )
        log.info("webhook stopped")


async def start_metrics_server(app: App, mode: str) -> web.AppRunner:
    """/healthz and /metrics on METRICS_HOST:METRICS_PORT; `cleanup()` the runner to stop."""
    settings = app.settings
    assert settings.metrics_port is not None
    web_app = web.Application()
    web_app.add_routes(web_routes(app.metrics, app.engine, app.uow_factory, app.clock, mode))
    runner = web.AppRunner(web_app, access_log=None, handle_signals=False, shutdown_timeout=2.0)
    await runner.setup()
    await web.TCPSite(runner, settings.metrics_host, settings.metrics_port).start()
    log.info(
        "health and metrics on http://%s:%d/healthz, /metrics",
        settings.metrics_host,
        settings.metrics_port,
    )
    return runner
