"""tests/fake_bot_api.py's FakeBotAPI on 0.0.0.0:8081 inside the check's compose network.

Prints one JSON line per request it gets (method, chat, the text's start); stops on SIGTERM or
after 30 minutes."""

import asyncio
import json
import signal
import time

from tests.fake_bot_api import FakeBotAPI


async def main() -> None:
    stopped = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)
    async with FakeBotAPI(patience=30, host="0.0.0.0", port=8081) as api:
        seen = 0
        deadline = time.monotonic() + 1800
        while not stopped.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            for request in api.requests[seen:]:
                text = request.form.get("text", "")[:60]
                line = {"method": request.method, "chat": request.chat_id, "text": text}
                print(json.dumps(line, ensure_ascii=False), flush=True)
            seen = len(api.requests)


asyncio.run(main())
