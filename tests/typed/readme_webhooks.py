"""The README's data-subscription snippets, verbatim; ``make types`` checks them (never run).

FastAPI is no dependency: ``tests/typed_stubs/fastapi`` stands in for its few names.
"""

from __future__ import annotations

from typing import Any

SECRET = "..."


async def save(*values: Any) -> None:
    """Stands for the user's own storage."""


async def receive(body_bytes: bytes) -> None:
    """The receiver snippet."""
    from fastapi import FastAPI
    from eeo_async.webhooks import Event, LessonEnd, Receiver, SQLiteStore

    receiver = Receiver(sid=1234567, secret=SECRET, store=SQLiteStore("classin.db"))

    @receiver.on(LessonEnd)                      # or receiver.on("End"); sync or async
    async def attendance(event: LessonEnd) -> None:
        for member in event.attendance:          # one per member who came in
            await save(event.class_id, member.uid, member.role, member.first_in,
                       member.last_out, member.seconds)

    @receiver.on_any                             # every event, unknown Cmds included
    def log_it(event: Event) -> None: ...

    # FastAPI or Starlette: the exact URL (app.mount("/classin", ...) serves "/classin/" only);
    # close the store when the app stops: `await receiver.close()` in its lifespan.
    app = FastAPI()
    app.add_route("/classin", receiver.asgi_app(), methods=["POST"])
    # aiohttp: web.run_app(receiver.aiohttp_app("/classin")); any other framework:
    reply = await receiver.handle(body_bytes)    # reply.status, reply.body (JSON)


async def rehearse(t0: int, t1: int) -> None:
    """The pusher snippet."""
    from eeo_async.testing import Pusher, lesson_end_message, samples

    async with Pusher("http://127.0.0.1:8080/classin", interval=0.05) as pusher:
        pusher.push(*samples(1234567, SECRET).values())
        pusher.push(lesson_end_message(sid=1234567, secret=SECRET, course_id=176465, class_id=1212131,
                                       members={1001: 1, 1002: 1, 9: 3}, start_time=t0, end_time=t1))
        await pusher.join()                      # every message acked
