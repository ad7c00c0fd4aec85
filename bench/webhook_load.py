"""The load generator of bench/bench_webhook.py, run by it as a process of its own:

    python bench/webhook_load.py JOB.json

It imports only aiohttp (no aiogram, no bot code), so that it starts in a moment and costs the
bot processes as little CPU as it can. The job names the webhook URLs (requests go to them in
turn, as a reverse proxy's round robin would), the secret, and for each user the attempt, the
message and the option keys of the answers to send, one per question from `first`.

- `"mode": "saturate"`: a closed loop, `concurrency` requests in flight at all times;
- `"mode": "rate"`: an open loop, one request every 1/`rate` s whatever the answers; the
  latency of each is counted from when it was due to be sent, so a generator or a bot that
  falls behind shows in it.

Answers go round by round (every user's first answer, then every user's second, ...); a user's
next answer waits until the previous one was answered, as a person waits for the next screen.
It prints one JSON line: answers, seconds, each latency, the HTTP statuses, its own CPU time.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from collections import Counter
from typing import Any

import aiohttp

DATE = 1_790_000_000
BOT_USER = {"id": 1000000001, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}


def updates(job: dict[str, Any]) -> list[tuple[int, bytes]]:
    """(user index, JSON body) of every answer, round by round."""
    bodies: list[tuple[int, bytes]] = []
    update_ids = itertools.count(job["first_update_id"])
    for round_ in range(job["rounds"]):
        for index, user in enumerate(job["users"]):
            question = user["first"] + round_
            data = f"ans:{job['quiz']}:{user['attempt']}:{question}:{user['keys'][round_]}"
            person = {"id": user["id"], "is_bot": False, "first_name": "Ученик"}
            update = {
                "update_id": next(update_ids),
                "callback_query": {
                    "id": f"q{user['id']}-{question}",
                    "from": person | {"language_code": "ru"},
                    "chat_instance": "bench",
                    "data": data,
                    "message": {
                        "message_id": user["message_id"],
                        "date": DATE,
                        "chat": {"id": user["id"], "type": "private", "first_name": "Ученик"},
                        "from": BOT_USER,
                        "text": "…",
                    },
                },
            }
            bodies.append((index, json.dumps(update, ensure_ascii=False).encode()))
    return bodies


async def run(job: dict[str, Any]) -> dict[str, Any]:
    bodies = updates(job)
    targets = itertools.cycle(job["targets"])
    headers = {
        "X-Telegram-Bot-Api-Secret-Token": job["secret"],
        "Content-Type": "application/json",
    }
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    previous: dict[int, asyncio.Future[None]] = {}
    loop = asyncio.get_running_loop()
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=60)
    ) as http:

        async def send(user: int, body: bytes, due: float | None) -> None:
            before = previous.get(user)
            done: asyncio.Future[None] = loop.create_future()
            previous[user] = done
            try:
                if before is not None:
                    await before
                started = time.perf_counter() if due is None else due
                async with http.post(next(targets), data=body, headers=headers) as response:
                    await response.read()
                    statuses[response.status] += 1
                latencies.append(time.perf_counter() - started)
            finally:
                done.set_result(None)

        t0 = time.perf_counter()
        cpu0 = time.process_time()
        if job["mode"] == "saturate":
            work = iter(bodies)

            async def worker() -> None:
                for user, body in work:
                    await send(user, body, None)

            await asyncio.gather(*(worker() for _ in range(job["concurrency"])))
        else:
            interval = 1 / job["rate"]
            tasks = []
            for i, (user, body) in enumerate(bodies):
                due = t0 + i * interval
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(send(user, body, due)))
            await asyncio.gather(*tasks)
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
    return {
        "answers": len(bodies),
        "seconds": seconds,
        "latencies": latencies,
        "statuses": {str(k): v for k, v in statuses.items()},
        "cpu": cpu,
    }


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as file:
        job = json.load(file)
    print(json.dumps(asyncio.run(run(job))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
