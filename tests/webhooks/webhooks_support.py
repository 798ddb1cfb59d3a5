"""Shared helpers of the webhooks tests: one school's credentials and signed messages."""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
from collections.abc import Callable
from typing import Any

SID = 1234567
SECRET = "wh-s3cret-never-shown"
#: The docs' HomeworkSubmit stamp: ten minutes after its ActionTime.
STAMP = 1_741_335_551


def sign(
    doc: dict[str, Any], *, sid: int = SID, secret: str = SECRET, stamp: int = STAMP
) -> dict[str, Any]:
    """A copy of ``doc`` for ``sid``, stamped and signed as ClassIn signs a push."""
    signed = {**doc, "SID": sid, "TimeStamp": stamp}
    signed["SafeKey"] = hashlib.md5(f"{secret}{stamp}".encode()).hexdigest()
    return signed


def body(doc: dict[str, Any]) -> bytes:
    """The raw JSON body of a push."""
    return json.dumps(doc, ensure_ascii=False).encode()


def net(number: int, **extra: Any) -> dict[str, Any]:
    """A signed ``Net`` push with the ``_id`` made from ``number``."""
    doc = {"Cmd": "Net", "_id": f"{number:024x}", "ClassID": 290274, "UID": 1001920}
    return sign({**doc, "Data": {"good": number}, **extra})


async def until(condition: Callable[[], bool], within: float = 30.0, step: float = 0.01) -> None:
    """Wait until ``condition()`` holds, checking every ``step`` seconds; fail after ``within``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"still not true after {within} s: {condition}")
        await asyncio.sleep(step)


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
