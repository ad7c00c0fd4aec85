"""A fake Telegram Bot API over HTTP, for tests that run the bot as a real process against it.

It answers like Telegram: getMe, deleteWebhook, setMyCommands, deleteMyCommands (and any other
method) with `true`; getUpdates with `[]` after a short wait; sendMessage, sendPhoto,
sendDocument and editMessageText with a Message. A photo or document sent by file id keeps it;
one uploaded (multipart) gets a new file id in the answer, as in Telegram. getFile answers a
File with a `file_path` for the files it holds (`add_file`, or uploaded), "invalid file_id"
for others and "file is too big" above 20 MB, as the Bot API does; the file is downloaded at
`/file/bot<token>/<file_path>`. A file Telegram will not take whatever the chat (a photo of
dimensions it refuses, a wrong file identifier) is `refuse_file`: every send of it, by its id or
uploaded, gets the refusal. What a chat's sends get is scripted by the test
(`FakeBotAPI.script`): a `Behaviour` is a list of answers for the first requests to that chat,
then one answer for every request after them, so "429 twice, then ok", "a gateway's HTML 502
page once, then ok", "5xx forever", "blocked" and "held past the client's timeout once, then
ok" are all one line. Chats without a script are always answered ok.

Every request is recorded (method, chat, when, the answer given). A send counts as delivered
when it was answered ok in time: an answer held past the client's timeout is not (the client
gave up; whether Telegram delivered such a message is what the outbox must not assume), and a
request whose client was killed while it was held is not either. A request answered ok at once
is delivered even if its client died before reading the answer: so it is with Telegram.

    async with FakeBotAPI() as api:
        api.script(chat_id, flood(times=2))
        ...  # run the bot with TELEGRAM_API_URL=api.url, BOT_TOKEN=TOKEN
        assert api.deliveries(chat_id) == 1
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import defaultdict
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from aiohttp import web

TOKEN = "123456:FAKE-bot-api-token"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Профнавигатор", "username": "prof_bot"}
DATE = 1_790_000_000
#: The methods that send something to a chat: their answers are scripted per chat.
SENDING = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
#: The largest file a bot may download (getFile refuses larger ones).
DOWNLOAD_LIMIT = 20 * 1024 * 1024
#: How long getUpdates waits (at most) before answering that there is nothing new.
POLL_WAIT = 0.5

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Answer:
    """What one request gets: an HTTP status and body, after `hold` seconds."""

    name: str
    status: int = 200
    #: A Bot API response (JSON), or a page (`text`) when `body` is None.
    body: Json | None = None
    text: str = ""
    hold: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == 200

    def error(self) -> str | None:
        """Telegram's description of the error, None for an ok or a non-JSON answer."""
        return None if self.body is None else self.body.get("description")


def telegram_error(code: int, description: str, **parameters: Any) -> Answer:
    body: Json = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return Answer(f"{code} {description}", code, body)


OK = Answer("ok")
FLOOD = telegram_error(429, "Too Many Requests: retry after 1", retry_after=1)
BLOCKED = telegram_error(403, "Forbidden: bot was blocked by the user")
CHAT_NOT_FOUND = telegram_error(400, "Bad Request: chat not found")
SERVER_ERROR = telegram_error(500, "Internal Server Error")
BAD_GATEWAY_PAGE = Answer(
    "502 page",
    502,
    text=(
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
        "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    ),
)


def held(seconds: float) -> Answer:
    """An ok answer given only after `seconds`: past the client's timeout, it is not delivered."""
    return Answer("held", hold=seconds)


@dataclass(frozen=True, slots=True)
class Behaviour:
    """How a chat's sends are answered: `first` for the first requests, in order, then `then`
    for every request after them."""

    name: str
    first: tuple[Answer, ...] = ()
    then: Answer = OK

    def answer(self, index: int) -> Answer:
        """The answer to the chat's request number `index` (from 0)."""
        return self.first[index] if index < len(self.first) else self.then


def always_ok() -> Behaviour:
    return Behaviour("ok")


def flood(times: int = 1, retry_after: int = 1) -> Behaviour:
    """429 with `parameters.retry_after` `times` times, then ok."""
    answer = telegram_error(
        429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
    )
    return Behaviour(f"429×{times}", (answer,) * times)


def blocked() -> Behaviour:
    """403: the user blocked the bot, for good."""
    return Behaviour("blocked", then=BLOCKED)


def chat_not_found() -> Behaviour:
    """400: a refusal that will not change."""
    return Behaviour("chat not found", then=CHAT_NOT_FOUND)


def server_errors(times: int | None = 1) -> Behaviour:
    """Telegram's JSON 500 `times` times then ok; `times=None`: forever."""
    if times is None:
        return Behaviour("5xx forever", then=SERVER_ERROR)
    return Behaviour(f"5xx×{times}", (SERVER_ERROR,) * times)


def gateway_pages(times: int = 1) -> Behaviour:
    """A proxy's HTML 502 page (not the Bot API's JSON) `times` times, then ok."""
    return Behaviour(f"502 page×{times}", (BAD_GATEWAY_PAGE,) * times)


def timeouts(hold: float, times: int = 1) -> Behaviour:
    """Answered only after `hold` seconds (longer than the client waits) `times` times, then
    ok. The held requests do not count as delivered."""
    return Behaviour(f"timeout×{times}", (held(hold),) * times)


@dataclass(slots=True)
class Request:
    """One request as the fake received it."""

    method: str
    chat_id: int | None
    #: The event loop's time when it arrived.
    at: float
    answer: Answer
    form: dict[str, str]
    #: The files uploaded with it: parameter (`photo`, `document`) → (file name, bytes).
    uploaded: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    #: Answered ok within the client's patience (see the module's docstring).
    delivered: bool = False
    #: The result answered (a sent message, with its message_id), once answered ok.
    result: Any = None


async def request_fields(request: web.Request) -> dict[str, str]:
    """A Bot API request's parameters as a form would carry them, whether it came as a form
    or as JSON (the bot sends requests without files as JSON; nested objects such as
    `reply_markup` are given back JSON-encoded, as in a form). A file uploaded with it is
    left out (`request_files`)."""
    if request.content_type == "application/json":
        body = await request.json()
        return {
            key: value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            for key, value in body.items()
        }
    return {
        key: str(value)
        for key, value in (await request.post()).items()
        if not isinstance(value, web.FileField)
    }


async def request_files(request: web.Request) -> dict[str, tuple[str, bytes]]:
    """The files uploaded with a multipart request: field → (file name, bytes)."""
    if request.content_type != "multipart/form-data":
        return {}
    return {
        key: (value.filename, value.file.read())
        for key, value in (await request.post()).items()
        if isinstance(value, web.FileField)
    }


@dataclass
class FakeBotAPI:
    """The fake server; `url` is set once it runs (`async with FakeBotAPI() as api`).

    `patience`: how long a client waits for an answer (TELEGRAM_TIMEOUT_SECONDS); an ok answer
    held at least that long is not delivered. `host`, `port`: where it listens (port 0: a free
    one)."""

    patience: float = 1.0
    host: str = "127.0.0.1"
    port: int = 0
    token: str = TOKEN
    url: str = ""
    requests: list[Request] = field(default_factory=list)
    _scripts: dict[int, Behaviour] = field(default_factory=dict)
    _by_chat: dict[int, list[Request]] = field(default_factory=lambda: defaultdict(list))
    #: Files on the server by file id (sent by users, or uploaded by the bot).
    files: dict[str, bytes] = field(default_factory=dict)
    #: The refusal each refused file gets (`refuse_file`): by file id, None for any upload.
    _refused_files: dict[str | None, Answer] = field(default_factory=dict)
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _file_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None

    # --- the test's side ----------------------------------------------------------------------

    def script(self, chat_id: int, behaviour: Behaviour) -> None:
        self._scripts[chat_id] = behaviour

    def behaviour(self, chat_id: int) -> Behaviour:
        return self._scripts.get(chat_id, always_ok())

    def sends(self, chat_id: int) -> list[Request]:
        """Every send (sendMessage, sendPhoto, sendDocument) to a chat, in order."""
        return [r for r in self._by_chat.get(chat_id, []) if r.method in SENDING]

    def deliveries(self, chat_id: int) -> int:
        """How many sends to a chat were delivered."""
        return sum(r.delivered for r in self.sends(chat_id))

    def delivered_chats(self, among: set[int] | None = None) -> set[int]:
        chats = self._by_chat if among is None else among
        return {c for c in chats if self.deliveries(c)}

    def methods(self) -> list[str]:
        return [r.method for r in self.requests]

    def add_file(self, file_id: str, data: bytes) -> None:
        """A file on Telegram's servers (one a user sent the bot)."""
        self.files[file_id] = data

    def refuse_file(self, answer: Answer, file_id: str | None = None) -> None:
        """Every send of the file `file_id` (by its id), or of any file uploaded with the send
        (None), is answered `answer`, whatever the chat: as Telegram refuses a file it cannot
        take. A chat's own script comes first (a blocked chat's send is answered 403)."""
        self._refused_files[file_id] = answer

    def uploads(self) -> list[Request]:
        """Every request that uploaded a file."""
        return [r for r in self.requests if r.uploaded]

    # --- the server ---------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        application = web.Application()
        application.router.add_post("/bot{token}/{method}", self._handle)
        application.router.add_get("/bot{token}/{method}", self._handle)
        application.router.add_get("/file/bot{token}/{path:.*}", self._download)
        self._runner = web.AppRunner(application, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        form = await request_fields(request)
        parts = await request_files(request)
        uploaded: dict[str, tuple[str, bytes]] = {}
        for key, value in list(form.items()):  # `photo=attach://<part>`: a new file
            part = parts.get(value.removeprefix("attach://"))
            if value.startswith("attach://") and part is not None:
                uploaded[key] = part
                form[key] = f"uploaded-{next(self._file_ids)}"
                self.files[form[key]] = part[1]
        chat_id = int(form["chat_id"]) if form.get("chat_id", "").lstrip("-").isdigit() else None
        answer = OK
        if method in SENDING and chat_id is not None:
            answer = self.behaviour(chat_id).answer(len(self.sends(chat_id)))
            if answer.ok:
                answer = self._file_refusal(form, uploaded) or answer
        loop = asyncio.get_running_loop()
        record = Request(method, chat_id, loop.time(), answer, form, uploaded)
        self.requests.append(record)
        if chat_id is not None:
            self._by_chat[chat_id].append(record)
        if answer.hold:
            await asyncio.sleep(answer.hold)
        if not answer.ok:
            if answer.body is None:
                return web.Response(
                    status=answer.status, text=answer.text, content_type="text/html"
                )
            return web.json_response(answer.body, status=answer.status)
        try:
            result = await self._result(method, form)
        except _Refused as refused:
            record.answer = refused.answer
            return web.json_response(refused.answer.body, status=refused.answer.status)
        record.result = result
        # Answered ok: delivered, unless the client had given up waiting.
        record.delivered = method in SENDING and answer.hold < self.patience
        return web.Response(
            text=json.dumps({"ok": True, "result": result}), content_type="application/json"
        )

    def _file_refusal(
        self, form: dict[str, str], uploaded: dict[str, tuple[str, bytes]]
    ) -> Answer | None:
        if uploaded and None in self._refused_files:
            return self._refused_files[None]
        for key in ("photo", "document"):
            if key not in uploaded and form.get(key) in self._refused_files:
                return self._refused_files[form[key]]
        return None

    async def _result(self, method: str, form: dict[str, str]) -> Any:
        if method == "getUpdates":
            await asyncio.sleep(min(float(form.get("timeout", 0)), POLL_WAIT))
            return []
        if method == "getMe":
            return BOT_USER
        if method == "getFile":
            return self._file(form.get("file_id", ""))
        if method in SENDING or method == "editMessageText":
            return self._message(method, form)
        return True  # deleteWebhook, setMyCommands, deleteMyCommands, ...

    def _file(self, file_id: str) -> Json:
        data = self.files.get(file_id)
        if data is None:
            raise _Refused(telegram_error(400, "Bad Request: invalid file_id"))
        if len(data) > DOWNLOAD_LIMIT:
            raise _Refused(telegram_error(400, "Bad Request: file is too big"))
        return {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_size": len(data),
            "file_path": f"files/{file_id}",
        }

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        path = request.match_info["path"]
        data = self.files.get(path.removeprefix("files/"))
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data)

    def _message(self, method: str, form: dict[str, str]) -> Json:
        chat_id = int(form["chat_id"])
        message: Json = {
            "message_id": int(form.get("message_id") or next(self._message_ids)),
            "date": DATE,
            "chat": {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"},
            "from": BOT_USER,
        }
        if method == "sendPhoto":
            size = {"file_id": form["photo"], "file_unique_id": "p", "width": 1, "height": 1}
            message |= {"photo": [size], "caption": form.get("caption", "")}
        elif method == "sendDocument":
            message |= {
                "document": {"file_id": form["document"], "file_unique_id": "d"},
                "caption": form.get("caption", ""),
            }
        else:
            message["text"] = form.get("text", "")
        return message


class _Refused(Exception):
    """A request the Bot API refuses (its answer)."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.name)
        self.answer = answer
