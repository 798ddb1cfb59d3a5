"""A tiny in-test server for creation on MockTransport: identities, both readings, lost answers.

Unit tests of the SDK's creation logic use it; the sandbox's own courses-and-lessons
area is what end-to-end tests use.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import attrs

from eeo_async import RequestTimeoutError
from eeo_async.testing import MockRequest


def answer(errno: int, data: object = None, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"error_info": {"errno": errno, "error": f"e{errno}"}, **extra}
    if data is not None:
        doc["data"] = data
    return doc


@attrs.define
class FakeCreations:
    """Courses and lessons by identity; ``repeat`` is how a known identity is answered.

    ``"earlier_id"``: 398 with the earlier ID; ``"refuse"``: 398 without it; ``"ok"``:
    errno 1 with the earlier ID (a third reading the SDK must survive). ``lose`` makes
    the answer of the first N creating calls be lost after the work is done.
    """

    repeat: str = "earlier_id"
    lose: int = 0
    ids: itertools.count[int] = attrs.Factory(lambda: itertools.count(5000))
    made: dict[str, int] = attrs.Factory(dict)
    #: Every creation made (identity or None), in order: a duplicate shows here.
    creations: list[str | None] = attrs.Factory(list)
    calls: list[MockRequest] = attrs.Factory(list)
    item_answers: dict[int, int] = attrs.Factory(dict)

    def _one(self, identity: str | None) -> tuple[int, int | None]:
        if identity is not None and identity in self.made:
            earlier = self.made[identity]
            if self.repeat == "refuse":
                return 398, None
            return (1 if self.repeat == "ok" else 398), earlier
        new = next(self.ids)
        self.creations.append(identity)
        if identity is not None:
            self.made[identity] = new
        return 1, new

    def handler(self, request: MockRequest) -> dict[str, Any]:
        self.calls.append(request)
        fields = request.fields
        if request.action in ("addCourse", "addCourseClass"):
            errno, new = self._one(fields.get("courseUniqueIdentity"))
            doc = answer(errno, new)
            if request.action == "addCourseClass" and new is not None:
                doc["more_data"] = {"live_url": f"https://live/{new}", "live_info": {"HLS": "h"}}
        elif request.action == "addCourseClassMultiple":
            entries = []
            for index, lesson in enumerate(request.json_field("classJson")):
                forced = self.item_answers.pop(index, None)
                if forced is not None:
                    entries.append({"errno": forced, "error": "busy", "className": "x"})
                    continue
                errno, new = self._one(lesson.get("courseUniqueIdentity"))
                entry: dict[str, Any] = {"errno": errno, "error": f"e{errno}"}
                if new is not None:
                    entry["data"] = new
                entry["className"] = lesson["className"]
                entries.append(entry)
            doc = answer(1, entries)
        else:
            return answer(1)
        if self.lose > 0:
            self.lose -= 1
            raise RequestTimeoutError(request.action, "no answer in time (lost)")
        return doc


def returning(*docs: dict[str, Any]) -> Callable[[MockRequest], dict[str, Any]]:
    """A handler answering ``docs`` in turn (the last one ever after)."""
    queue = list(docs)

    def handle(request: MockRequest) -> dict[str, Any]:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handle
