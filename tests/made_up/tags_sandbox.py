"""The made-up tags area of the sandbox: a v2 handler answering in reversed order."""

from __future__ import annotations

import random
from typing import Any

from eeo_async.testing import envelope_v2

#: Tags by (activity, student), and the size of every call seen.
TAGS: dict[tuple[int, int], str] = {}
SIZES: list[int] = []


def tag_students(school: object, body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """1 for a new tag, 7101 for one already there; entries in reverse order of the request."""
    activity = int(body["activityId"])
    SIZES.append(len(body["studentUids"]))
    data = []
    for uid in reversed(body["studentUids"]):
        code = 7101 if (activity, int(uid)) in TAGS else 1
        TAGS[(activity, int(uid))] = body["tag"]
        data.append({"studentUid": uid, "code": code, "msg": "ok"})
    return envelope_v2(1, data)
