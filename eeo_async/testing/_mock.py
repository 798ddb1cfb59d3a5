"""``MockTransport``: answer a Client's calls from a plain function, no server needed."""

from __future__ import annotations

import inspect
import json as jsonlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

import attrs

from .._transport import Response, Transport

_SIGNING = frozenset({"SID", "safeKey", "timeStamp"})


@attrs.frozen
class MockRequest:
    """One request as the handler of a :class:`MockTransport` sees it.

    Attributes:
        action: the action called, e.g. ``"addCourseClassStudent"``.
        form: every form field sent, signing fields included (hidden from ``repr``).
        timeout: the timeout the client gave this attempt, in seconds.
    """

    action: str
    form: Mapping[str, str] = attrs.field(repr=False)
    timeout: float = 0.0

    @property
    def fields(self) -> dict[str, str]:
        """The action's own fields: the form without ``SID``, ``safeKey``, ``timeStamp``."""
        return {k: v for k, v in self.form.items() if k not in _SIGNING}

    def json_field(self, name: str) -> Any:
        """A field that holds a JSON string (``classJson``, ``studentUidJson`` ...), parsed."""
        return jsonlib.loads(self.form[name])


@attrs.frozen(kw_only=True)
class MockResponse:
    """What a :class:`MockTransport` handler may answer: a status, JSON or raw body, headers."""

    status: int = 200
    json: Any = None
    body: bytes = b""
    headers: Mapping[str, str] = attrs.Factory(dict)


Handler = Callable[[MockRequest], Any]


class MockTransport(Transport):
    """A transport that answers each call from ``handler(request)``, sync or async.

    The handler gets a :class:`MockRequest` and returns a :class:`MockResponse`, or a
    ``dict`` (answered as JSON with HTTP 200), or ``bytes``/``str`` (a 200 body). It may
    raise an ``eeo_async.TransportError`` (``ConnectError`` ...) to stand for a network
    fault. Give it to a client as ``Client(sid, secret, transport=MockTransport(h))``::

        def handler(request):
            items = request.json_field("classJson")
            return {"error_info": {"errno": 1, "error": "ok"},
                    "data": [{"errno": 1, "error": "ok"}] * len(items)}

    ``requests`` holds every request received, in order (unless ``record=False``,
    for runs of millions of items).
    """

    def __init__(
        self, handler: Handler | Callable[[MockRequest], Awaitable[Any]], *, record: bool = True
    ) -> None:
        self.handler = handler
        self.record = record
        self.requests: list[MockRequest] = []

    def __repr__(self) -> str:
        return f"<eeo_async.testing.MockTransport requests={len(self.requests)}>"

    async def send(self, action: str, body: bytes, *, timeout: float) -> Response:  # noqa: ASYNC109 - the per-attempt timeout is the transport's contract
        """Answer one request through the handler."""
        request = MockRequest(action, dict(parse_qsl(body.decode())), timeout)
        if self.record:
            self.requests.append(request)
        answer = self.handler(request)
        if inspect.isawaitable(answer):
            answer = await answer
        if isinstance(answer, MockResponse):
            content = answer.body
            headers = dict(answer.headers)
            if answer.json is not None:
                content = jsonlib.dumps(answer.json, ensure_ascii=False).encode()
                headers.setdefault("Content-Type", "application/json")
            return Response(answer.status, headers, content)
        if isinstance(answer, str):
            answer = answer.encode()
        if isinstance(answer, bytes):
            return Response(200, {}, answer)
        content = jsonlib.dumps(answer, ensure_ascii=False).encode()
        return Response(200, {"Content-Type": "application/json"}, content)
