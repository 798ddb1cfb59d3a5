"""``MockTransport``: answer a Client's calls from a plain function, no server needed."""

from __future__ import annotations

import inspect
import json as jsonlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import attrs

from .._http import Request, Response, Upload
from .._transport import Transport
from ._wire import V1_SIGNING


@attrs.frozen(kw_only=True)
class MockRequest:
    """One request as the handler of a :class:`MockTransport` sees it.

    Attributes:
        action: the action as the server reads it: v1 the ``action`` of the query,
            e.g. ``"addCourseClassStudent"`` (empty when the query has none), v2 the
            path, e.g. ``"/lms/activity/createClass"``.
        path: the path and query the request went to, e.g.
            ``/partner/api/course.api.php?action=addCourseClassStudent`` or
            ``/lms/activity/createClass``.
        generation: 1 (form fields signed with ``safeKey``) or 2 (JSON signed in headers).
        headers: the headers sent (``X-EEO-SIGN``, ``X-EEO-UID``, ``X-EEO-TS`` for v2),
            hidden from ``repr``.
        form: v1: every form field sent, signing fields included (hidden from
            ``repr``); v2: empty.
        json: v2: the JSON body sent; v1: ``None``.
        file: for an upload, the file part's name, filename and size; else ``None``.
        timeout: the timeout the client gave this attempt, in seconds.
    """

    action: str
    path: str
    generation: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    form: Mapping[str, str] = attrs.field(repr=False, factory=dict)
    json: Any = attrs.field(repr=False, default=None)
    file: tuple[str, str, int] | None = None
    timeout: float = 0.0

    @property
    def fields(self) -> dict[str, Any]:
        """The action's own fields: the v1 form without its signing fields, or the v2 JSON."""
        if self.generation == 2:
            return dict(self.json) if isinstance(self.json, Mapping) else {}
        return {k: v for k, v in self.form.items() if k not in V1_SIGNING}

    def json_field(self, name: str) -> Any:
        """A v1 field holding JSON (``classJson`` ...), parsed; a v2 body's field."""
        if self.generation == 2:
            return self.fields[name]
        return jsonlib.loads(self.form[name])

    @classmethod
    def of(cls, request: Request, timeout: float = 0.0) -> MockRequest:
        """The view a handler gets of one signed ``request``.

        The action is read from where the server reads it (the query's ``action`` for
        v1, the path for v2), never from the client's own label of the request.
        """
        where = urlsplit(request.path)
        body = request.body
        v2 = "X-EEO-SIGN" in request.headers and not isinstance(body, Upload)
        form: dict[str, str] = {}
        data: Any = None
        file = None
        if isinstance(body, Upload):
            form, file = dict(body.fields), (body.file_field, body.filename, body.size)
        elif v2:
            data = jsonlib.loads(body.data) if body.data else None
        else:
            form = dict(parse_qsl(body.data.decode()))
        return cls(
            action=where.path if v2 else dict(parse_qsl(where.query)).get("action", ""),
            path=request.path,
            generation=2 if v2 else 1,
            headers=dict(request.headers),
            form=form,
            json=data,
            file=file,
            timeout=timeout,
        )


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

    async def send(self, request: Request, *, timeout: float) -> Response:  # noqa: ASYNC109 - the per-attempt timeout is the transport's contract
        """Answer one request through the handler."""
        seen = MockRequest.of(request, timeout)
        if self.record:
            self.requests.append(seen)
        answer = self.handler(seen)
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
