"""The made-up observers area of the sandbox: its state and its handler, from the wire names."""

from __future__ import annotations

import json
import random
from typing import Any

from eeo_async.testing import envelope

#: Observers by lesson, and the size of every call seen.
OBSERVERS: dict[int, set[int]] = {}
SIZES: list[int] = []


def add_class_observer_multiple(
    school: object, fields: dict[str, str], rng: random.Random
) -> dict[str, Any]:
    """1 for a new observer, 7001 for one already there, read from the wire names."""
    seen = OBSERVERS.setdefault(int(fields["classId"]), set())
    uids = [int(text) for text in json.loads(fields["observerUidJson"])]
    SIZES.append(len(uids))
    data = []
    for uid in uids:
        data.append({"errno": 7001 if uid in seen else 1, "error": "ok"})
        seen.add(uid)
    return envelope(1, data)
