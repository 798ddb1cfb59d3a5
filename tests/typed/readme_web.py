"""The README's web backend, verbatim: ``make types`` checks it with mypy --strict (never run).

FastAPI is no dependency of eeo_async: ``tests/typed_stubs/fastapi`` stands in for the few
names the snippet uses, so what is checked is the SDK's side.
"""

import eeo_async as eeo

SECRET = "..."

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException

@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with eeo.Client(sid=1234567, secret=SECRET, max_connections=100) as client:
        app.state.eeo = client.with_options(deadline=5)   # each call: 5 s in all, retries included
        yield

app = FastAPI(lifespan=lifespan)

@app.post("/enrol")
async def enrol(student: int, lesson: int) -> Any:
    client: eeo.Client = app.state.eeo
    try:
        statuses = await client.add_course_class_student(176465, student, [lesson])
    except eeo.DeadlineExceededError as exc:
        raise HTTPException(504, "ClassIn did not answer in time") from exc
    return eeo.to_jsonable(statuses)   # [{"errno": 1, "error": "...", ..., "ok": true}]
