"""A fake MAX Bot API over HTTP on 127.0.0.1, and a simulated MAX user.

The shapes are MAX's documented ones (dev.max.ru/docs-api): the token in the `Authorization`
header (401 without it), `GET /updates` with `marker`, `timeout`, `limit`, `types` answering
`{"updates": [...], "marker": n}`, `POST /messages?user_id=` with `text`, `format` and an
`inline_keyboard` attachment answering `{"message": {... "body": {"mid", "seq", "text"}}}`,
`PUT /messages?message_id=` (fields left out stay as they were) and `DELETE`, `POST /answers?
callback_id=` (refused without `notification` or `message`), `POST /uploads?type=` giving an
upload address, the upload there (multipart, field `data`) answering an image's
`{"photos": {<version>: {"token"}}}` or a file's `{"fileId", "token"}`, an image or file
attachment sent by its token (refused when MAX does not know the token: a Telegram file id),
downloads at an attachment's `url`, `GET /me`, `PATCH /me`. It can be told to fail the next
requests (`fail_next`; "upload" and "files" for uploads and downloads).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.max.polling import MaxPoller

TOKEN = "max-test-token"
BOT_ID = 777000
BOT_USERNAME = "zima_prof_max_bot"
Json = dict[str, Any]
_BUTTON_TYPES = {"callback", "link", "message", "request_contact", "request_geo_location"}


@dataclass
class MaxShown:
    """A message of the bot in a MAX dialog, as the user sees it."""

    user_id: int
    mid: str
    seq: int
    text: str
    attachments: list[Json]
    edits: int = 0

    @property
    def keyboard(self) -> list[list[Json]]:
        for attachment in self.attachments:
            if attachment["type"] == "inline_keyboard":
                rows: list[list[Json]] = attachment["payload"]["buttons"]
                return rows
        return []

    @property
    def buttons(self) -> list[tuple[str, str]]:
        return [
            (b["text"], b.get("payload") or b.get("url") or "")
            for row in self.keyboard
            for b in row
        ]

    def as_max(self) -> Json:
        return {
            "sender": {"user_id": BOT_ID, "first_name": "Профнавигатор", "is_bot": True},
            "recipient": {"chat_id": 10_000 + self.user_id, "chat_type": "dialog"},
            "timestamp": 1_790_000_000_000,
            "body": {"mid": self.mid, "seq": self.seq, "text": self.text},
        }


@dataclass
class Failure:
    path: str
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class FakeMax:
    def __init__(self) -> None:
        self.token = TOKEN
        self.messages: dict[str, MaxShown] = {}
        self.toasts: list[tuple[str, str]] = []
        self.commands: list[Json] = []
        self.requests: list[tuple[str, str, Json, Any]] = []
        #: Uploads at the addresses `POST /uploads` gave: their bytes and file names.
        self.uploads: dict[str, bytes] = {}
        self.upload_names: dict[str, str] = {}
        self.files: dict[str, bytes] = {}
        self.failures: list[Failure] = []
        self._updates: list[Json] = []
        self._marker = 0
        self._seq = itertools.count(1)
        self._arrived = asyncio.Event()
        self.base = ""

    # --- controls ------------------------------------------------------------------------------

    def push(self, update: Json) -> None:
        self._updates.append(update)
        self._arrived.set()

    def fail_next(
        self,
        path: str,
        status: int,
        body: Any,
        times: int = 1,
        headers: dict[str, str] | None = None,
    ) -> None:
        for _ in range(times):
            self.failures.append(Failure(path, status, body, headers or {}))

    def dialog(self, user_id: int) -> list[MaxShown]:
        return [m for m in self.messages.values() if m.user_id == user_id]

    def calls(self, method: str, path: str) -> list[tuple[str, str, Json, Any]]:
        return [r for r in self.requests if r[0] == method and r[1] == path]

    # --- the server ----------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._route)
        return app

    async def _route(self, request: web.Request) -> web.StreamResponse:  # noqa: PLR0911
        path = request.match_info["path"]
        body: Any = None
        if path.startswith(("upload/", "files/")):
            failed = self._failure(path.split("/", 1)[0])
            if failed is not None:
                return failed
        if path.startswith("upload/"):
            form = await request.post()
            data = form["data"]
            assert isinstance(data, web.FileField)
            self.uploads[path] = data.file.read()
            self.upload_names[path] = data.filename
            number = path.rsplit("/", 1)[-1]
            token = f"tok-{number}"
            self.files[token] = self.uploads[path]
            if path.startswith("upload/image/"):
                return web.json_response({"photos": {f"v{number}": {"token": token}}})
            return web.json_response({"fileId": int(number), "token": token})
        if path.startswith("files/"):
            found = self.files.get(path.split("/", 1)[1])
            if found is None:
                return web.json_response({"code": "not.found", "message": "File"}, status=404)
            return web.Response(body=found)
        if request.can_read_body:
            body = await request.json()
        query = dict(request.query)
        self.requests.append((request.method, path, query, body))
        if request.headers.get("Authorization") != self.token:
            return web.json_response(
                {"code": "verify.token", "message": "Invalid access_token"}, status=401
            )
        failed = self._failure(path)
        if failed is not None:
            return failed
        handler = {
            ("GET", "updates"): self._get_updates,
            ("GET", "me"): self._me,
            ("PATCH", "me"): self._patch_me,
            ("POST", "messages"): self._send,
            ("PUT", "messages"): self._edit,
            ("DELETE", "messages"): self._delete,
            ("POST", "answers"): self._answer,
            ("POST", "uploads"): self._upload_url,
        }.get((request.method, path))
        if handler is None:
            return web.json_response({"code": "not.found", "message": "Path"}, status=404)
        return await handler(query, body)

    def _failure(self, path: str) -> web.StreamResponse | None:
        for failure in list(self.failures):
            if failure.path == path:
                self.failures.remove(failure)
                if isinstance(failure.body, str):
                    return web.Response(
                        text=failure.body, status=failure.status, headers=failure.headers
                    )
                return web.json_response(
                    failure.body, status=failure.status, headers=failure.headers
                )
        return None

    async def _get_updates(self, query: Json, body: Any) -> web.StreamResponse:
        timeout = float(query.get("timeout", 30))
        if not self._updates and timeout > 0:
            self._arrived.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), timeout=min(timeout, 0.5))
        # Every kind is delivered, `types` or not, so that the bot's own skipping is tested.
        limit = int(query.get("limit", 100))
        batch = list(self._updates[:limit])
        del self._updates[: len(batch)]
        self._marker += len(batch)
        return web.json_response({"updates": batch, "marker": self._marker})

    async def _me(self, query: Json, body: Any) -> web.StreamResponse:
        return web.json_response(
            {
                "user_id": BOT_ID,
                "first_name": "Профнавигатор",
                "username": BOT_USERNAME,
                "is_bot": True,
                "last_activity_time": 1_790_000_000_000,
            }
        )

    async def _patch_me(self, query: Json, body: Any) -> web.StreamResponse:
        self.commands = body.get("commands", [])
        return web.json_response({"user_id": BOT_ID, "username": BOT_USERNAME})

    def _check(self, body: Json) -> str | None:
        text = body.get("text")
        if text is not None and (not isinstance(text, str) or len(text) > 4000):
            return "text must be a string of at most 4000 characters"
        if body.get("format") not in (None, "html", "markdown"):
            return "format"
        for attachment in body.get("attachments") or []:
            if attachment.get("type") in ("image", "file"):
                token = (attachment.get("payload") or {}).get("token")
                if token not in self.files:
                    return f"attachment token {token!r} is not known"
            if attachment.get("type") == "inline_keyboard":
                for row in attachment["payload"]["buttons"]:
                    for button in row:
                        if button.get("type") not in _BUTTON_TYPES or not button.get("text"):
                            return f"bad button {button}"
                        if button["type"] == "callback" and not isinstance(
                            button.get("payload"), str
                        ):
                            return "callback button without payload"
        return None

    async def _send(self, query: Json, body: Any) -> web.StreamResponse:
        problem = self._check(body)
        if problem or "user_id" not in query:
            return web.json_response({"code": "proto.payload", "message": problem}, status=400)
        seq = next(self._seq)
        shown = MaxShown(
            int(query["user_id"]),
            f"mid.{seq:016x}",
            seq,
            body.get("text") or "",
            body.get("attachments") or [],
        )
        self.messages[shown.mid] = shown
        return web.json_response({"message": shown.as_max()})

    async def _edit(self, query: Json, body: Any) -> web.StreamResponse:
        shown = self.messages.get(query.get("message_id", ""))
        if shown is None:
            return web.json_response(
                {"code": "not.found", "message": "Message not found"}, status=404
            )
        problem = self._check(body)
        if problem:
            return web.json_response({"code": "proto.payload", "message": problem}, status=400)
        if "text" in body and body["text"] is not None:
            shown.text = body["text"]
        if "attachments" in body and body["attachments"] is not None:
            shown.attachments = body["attachments"]
        shown.edits += 1
        return web.json_response({"success": True})

    async def _delete(self, query: Json, body: Any) -> web.StreamResponse:
        self.messages.pop(query.get("message_id", ""), None)
        return web.json_response({"success": True})

    async def _answer(self, query: Json, body: Any) -> web.StreamResponse:
        if not body or not (body.get("notification") or body.get("message")):
            return web.json_response(
                {"code": "proto.payload", "message": "message or notification required"},
                status=400,
            )
        self.toasts.append((query["callback_id"], body.get("notification") or ""))
        return web.json_response({"success": True})

    async def _upload_url(self, query: Json, body: Any) -> web.StreamResponse:
        number = len(self.uploads) + len(self.requests)
        return web.json_response({"url": f"{self.base}/upload/{query['type']}/{number}"})


@asynccontextmanager
async def serving(fake: FakeMax) -> AsyncIterator[str]:
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.base = str(server.make_url("")).rstrip("/")
    try:
        yield fake.base
    finally:
        await server.close()


_ids = itertools.count(1)


class MaxChat:
    """A MAX user: writes and taps through the fake server; the bot's poller takes each update
    from there (`poll_once`), as it would from MAX."""

    def __init__(self, fake: FakeMax, poller: MaxPoller, max_id: int, name: str = "Маша") -> None:
        self.fake = fake
        self.poller = poller
        self.max_id = max_id
        self.user = {"user_id": max_id, "first_name": name, "is_bot": False, "name": name}

    @property
    def user_id(self) -> int:
        """The bot's id of this user."""
        return -self.max_id

    @property
    def messages(self) -> list[MaxShown]:
        return self.fake.dialog(self.max_id)

    @property
    def last(self) -> MaxShown:
        return self.messages[-1]

    @property
    def last_toast(self) -> str | None:
        return self.fake.toasts[-1][1] if self.fake.toasts else None

    def with_buttons(self) -> MaxShown:
        for shown in reversed(self.messages):
            if shown.keyboard:
                return shown
        raise LookupError("no message with buttons")

    async def deliver(self, update: Any) -> None:
        self.fake.push(update)
        await self.poller.poll_once()

    async def start(self, payload: str | None = None) -> None:
        await self.deliver(
            {
                "update_type": "bot_started",
                "timestamp": 1_790_000_000_000,
                "chat_id": 10_000 + self.max_id,
                "user": self.user,
                "payload": payload,
            }
        )

    def _message(self, body: Json) -> Json:
        return {
            "update_type": "message_created",
            "timestamp": 1_790_000_000_000,
            "message": {
                "sender": self.user,
                "recipient": {"chat_id": 10_000 + self.max_id, "chat_type": "dialog"},
                "timestamp": 1_790_000_000_000,
                "body": {"mid": f"mid.user.{next(_ids)}", "seq": 0, **body},
            },
        }

    async def send(self, text: str) -> None:
        await self.deliver(self._message({"text": text, "attachments": []}))

    async def send_document(self, data: bytes, filename: str, caption: str | None = None) -> None:
        token = f"user-file-{next(_ids)}"
        self.fake.files[token] = data
        attachment = {
            "type": "file",
            "payload": {"url": f"{self.fake.base}/files/{token}", "token": token},
            "filename": filename,
            "size": len(data),
        }
        await self.deliver(self._message({"text": caption, "attachments": [attachment]}))

    async def send_photo(self, data: bytes, caption: str | None = None) -> None:
        token = f"user-image-{next(_ids)}"
        self.fake.files[token] = data
        attachment = {
            "type": "image",
            "payload": {"url": f"{self.fake.base}/files/{token}", "token": token},
        }
        await self.deliver(self._message({"text": caption, "attachments": [attachment]}))

    async def send_contact(self, phone: str, of: int | None = None) -> None:
        """A contact card, as MAX's `request_contact` button shares it (the sender's own), or
        one of another MAX user (`of`)."""
        owner = self.user if of is None else {"user_id": of, "name": "Чужой", "is_bot": False}
        vcf = f"BEGIN:VCARD\r\nVERSION:3.0\r\nTEL;TYPE=cell:{phone}\r\nEND:VCARD"
        attachment = {
            "type": "contact",
            "payload": {"vcf_info": vcf, "max_info": owner},
        }
        await self.deliver(self._message({"text": None, "attachments": [attachment]}))

    async def click(self, label: str, on: MaxShown | None = None) -> None:
        shown = on or self.with_buttons()
        found = [p for t, p in shown.buttons if t == label] or [
            p for t, p in shown.buttons if label in t
        ]
        if not found:
            raise LookupError(f"no button {label!r}; the buttons are {shown.buttons}")
        await self.press(found[0], shown)

    async def press(self, payload: str | None, on: MaxShown | None = None) -> None:
        shown = on or self.with_buttons()
        callback: Json = {
            "timestamp": 1_790_000_000_000,
            "callback_id": f"cb-{next(_ids)}",
            "user": self.user,
        }
        if payload is not None:
            callback["payload"] = payload
        await self.deliver(
            {
                "update_type": "message_callback",
                "timestamp": 1_790_000_000_000,
                "callback": callback,
                "message": shown.as_max(),
            }
        )


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
