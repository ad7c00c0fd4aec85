"""The MAX Bot API over HTTP (aiohttp): one request helper that turns MAX's answers into the
errors aiogram raises for Telegram's, so that the retry middleware (bot/retry.py), the outbox's
rules (bot/sender.py) and `show()` treat both messengers alike.

- 429: `TelegramRetryAfter` (MAX's `Retry-After` header, else one second).
- 5xx, an answer that is not JSON (a proxy's page), a timeout, the network: `TelegramServerError`
  or `TelegramNetworkError`, retried.
- 401: `TelegramUnauthorizedError` naming MAX_BOT_TOKEN.
- the refusals that mean the user cannot be written to any more (see `_BLOCKED` for which and
  where they come from): `TelegramForbiddenError` (the outbox marks the user blocked).
- any other 4xx: `TelegramBadRequest` with MAX's code and message (a 404 `not.found` of a
  message to edit among them: the screen is sent anew).
- a certificate that does not verify: `TelegramNetworkError` naming MAX_API_URL and MAX_CA_FILE.

Authorisation is MAX's current one: the token in the `Authorization` header (the
`access_token` query parameter is no longer accepted).
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
from typing import Any

import aiohttp
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod

log = logging.getLogger(__name__)

#: MAX's answers that mean the user cannot be written to any more, as Telegram's 403 does.
#: MAX documents no list of error codes; these are what its documentation and bots in use say:
#: - HTTP 403, whatever the code. MAX's OpenAPI schema (dev.max.ru/docs-api, archived in
#:   github.com/max-messenger-bot/max-bot-api-schemas, schema_2026_07_01.json, GET /messages):
#:   403 "возникает, когда пользователь приостановил бота или у него нет доступа к чату".
#:   Sending to a user who stopped the bot, MAX answers 403 with the code `chat.denied` and
#:   the message "Key: error.dialog.suspended, args: [<user id>,]." (the body bots on MAX
#:   report and test against; also kept below in case it ever comes with another status).
#: - HTTP 404 `chat.not.found` ("Chat <id> not found"): the user deleted the dialog with the
#:   bot («Удалить и остановить»), love-apples/maxapi issues #138 and #164. For the bot every
#:   MAX recipient once wrote to it, so the dialog is gone, not mistyped.
#: Nothing else is guessed from words in a message (the old list matched "blocked" or
#: "stopped" anywhere, and would have taken a refusal of a button or a link for a block).
_BLOCKED_CODES = frozenset({"chat.denied"})
_BLOCKED_MESSAGES = ("error.dialog.suspended",)
_GONE_CODES = frozenset({"chat.not.found"})
#: How much of a non-JSON answer goes into the error.
PAGE_CHARS = 200
SERVER_ERROR = 500
BAD_REQUEST = 400
TOO_MANY = 429
NOT_FOUND = 404
FORBIDDEN = 403
UNAUTHORIZED = 401


class MaxCall(TelegramMethod[Any]):
    """A MAX request that is not one of aiogram's methods (polling, uploads): aiogram's errors
    name the method they failed on."""

    __returning__ = Any
    __api_method__ = "max"

    path: str


def ssl_context(ca_file: str | None) -> ssl.SSLContext:
    """The system's trusted authorities, plus `ca_file` if given. Verification stays on."""
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


class MaxApi:
    def __init__(
        self, token: str, base_url: str, *, timeout: float = 30, ca_file: str | None = None
    ) -> None:
        self.token = token
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._ssl = ssl_context(ca_file) if self.base_url.startswith("https:") else None
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(ssl=self._ssl) if self._ssl else None
            self._session = aiohttp.ClientSession(connector=connector)
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def request(  # noqa: PLR0913
        self,
        http_method: str,
        path: str,
        method: TelegramMethod[Any] | None = None,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        timeout: float | None = None,
    ) -> Any:
        """One call; its JSON answer, or the aiogram error that stands for MAX's refusal."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        query = {
            key: str(value).lower() if isinstance(value, bool) else str(value)
            for key, value in (params or {}).items()
            if value is not None
        }
        return await self._send(
            method or MaxCall(path=path),
            http_method,
            url,
            params=query,
            json=body,
            headers={"Authorization": self.token},
            timeout=timeout,
        )

    async def upload(
        self, url: str, data: bytes, filename: str, method: TelegramMethod[Any]
    ) -> Any:
        """Send a file's bytes to the address `POST /uploads` gave (multipart, field `data`)."""
        form = aiohttp.FormData()
        form.add_field("data", data, filename=filename)
        return await self._send(method, "POST", url, data=form)

    async def download(self, url: str, method: TelegramMethod[Any]) -> bytes:
        try:
            async with self._client().get(
                url, timeout=aiohttp.ClientTimeout(total=self.timeout)
            ) as response:
                if response.status >= SERVER_ERROR:
                    raise TelegramServerError(method=method, message=f"MAX: HTTP {response.status}")
                if response.status >= BAD_REQUEST:
                    raise TelegramBadRequest(method=method, message="Bad Request: file not found")
                return await response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise TelegramNetworkError(method=method, message=f"MAX: {error!r}") from error

    async def _send(
        self,
        method: TelegramMethod[Any],
        http_method: str,
        url: str,
        *,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        limit = aiohttp.ClientTimeout(total=timeout or self.timeout)
        try:
            async with self._client().request(
                http_method, url, timeout=limit, **kwargs
            ) as response:
                raw = await response.text()
                status, retry = response.status, response.headers.get("Retry-After")
        except aiohttp.ClientConnectorCertificateError as error:
            raise TelegramNetworkError(
                method=method,
                message=f"the certificate of MAX_API_URL ({self.base_url}) does not verify: "
                "install the Russian Trusted Root CA system-wide or name its PEM file in "
                f"MAX_CA_FILE ({error.certificate_error})",
            ) from error
        except TimeoutError as error:
            raise TelegramNetworkError(method=method, message="MAX: request timeout") from error
        except aiohttp.ClientError as error:
            raise TelegramNetworkError(method=method, message=f"MAX: {error!r}") from error
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = None
        if status == 200 and data is not None:
            return data
        raise _error(method, status, data, raw, retry)


def _error(
    method: TelegramMethod[Any], status: int, data: Any, raw: str, retry: str | None
) -> Exception:
    if not isinstance(data, dict):
        page = " ".join(raw.split())[:PAGE_CHARS]
        shown = f"not JSON: {page!r}" if page else "empty"
        return TelegramServerError(
            method=method, message=f"Bad Gateway: the answer from MAX (HTTP {status}) was {shown}"
        )
    code = str(data.get("code") or "")
    text = str(data.get("message") or data.get("error") or "")
    reason = f"{code}: {text}" if code else text
    if status == TOO_MANY:
        try:
            seconds = max(1, int(float(retry or 1)))
        except ValueError:
            seconds = 1
        return TelegramRetryAfter(
            method=method, message=f"Too Many Requests: MAX {reason}", retry_after=seconds
        )
    if status >= SERVER_ERROR:
        return TelegramServerError(method=method, message=f"MAX server error {status}: {reason}")
    if status == UNAUTHORIZED:
        return TelegramUnauthorizedError(
            method=method, message=f"Unauthorized: MAX does not accept MAX_BOT_TOKEN ({reason})"
        )
    if _cannot_write(status, code, text):
        return TelegramForbiddenError(method=method, message=f"Forbidden: MAX {status} {reason}")
    return TelegramBadRequest(method=method, message=f"Bad Request: MAX {status} {reason}")


def _cannot_write(status: int, code: str, text: str) -> bool:
    """The user stopped or blocked the bot, or deleted the dialog (see `_BLOCKED_CODES`)."""
    if status == FORBIDDEN or code in _BLOCKED_CODES:
        return True
    if any(key in text for key in _BLOCKED_MESSAGES):
        return True
    return status == NOT_FOUND and code in _GONE_CODES


async def pause(seconds: float) -> None:
    """Sleep (a seam for the tests)."""
    await asyncio.sleep(seconds)
