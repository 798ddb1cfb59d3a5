"""Secrets out of reach at the edges: passwords echoed back, traceback locals, base URLs."""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from aiohttp import web
from test_edges_client import SECRET, safe_keys, shown_locals

import eeo_async as eeo
from eeo_async.testing import MockRequest, MockResponse, MockTransport, set_testing

PASSWORD = "Pa55 w&rd/é"
DIGEST = hashlib.md5(b"another password").hexdigest()


def echo_page(spell: Callable[[MockRequest], str], status: int = 403) -> Any:
    """A proxy that answers with a page echoing the request's form."""

    def answer(request: MockRequest) -> MockResponse:
        return MockResponse(status=status, body=spell(request).encode())

    return answer


SPELLINGS = {
    "as-sent": lambda r: "<pre>" + "&".join(f"{k}={quote_plus(v)}" for k, v in r.form.items()),
    "decoded": lambda r: "<pre>" + " ".join(f"{k}: {v}" for k, v in r.form.items()),
    "quoted": lambda r: "<pre>" + " ".join(quote(v, safe="") for v in r.form.values()),
    "json": lambda r: str(r.form).replace("'", '"'),
}


@pytest.mark.parametrize("spell", SPELLINGS.values(), ids=SPELLINGS.keys())
async def test_an_echoed_password_is_scrubbed_from_errors_and_reports(spell: Any) -> None:
    """A page echoing a registration shows neither the password nor its digest, anywhere."""
    users = [
        eeo.NewUser(telephone="15800000001", password=PASSWORD),
        eeo.NewUser(telephone="15800000002", md5_password=DIGEST),
    ]
    with set_testing(True):
        transport = MockTransport(echo_page(spell))
        async with eeo.Client(1, SECRET, transport=transport, max_attempts=1) as client:
            with pytest.raises(eeo.HTTPStatusError) as typed:
                await client.register(telephone="15800000003", password=PASSWORD)
            with pytest.raises(eeo.HTTPStatusError) as digest:
                await client.register(telephone="15800000004", md5pass=DIGEST)
            with pytest.raises(eeo.HTTPStatusError) as free:
                await client.call("register", {"telephone": "158", "password": PASSWORD})
            report = await eeo.Batcher(client, max_attempts=1).register(users)
    shown = " ".join(
        [str(typed.value), str(digest.value), str(free.value), report.to_json()]
        + [item.error for item in report.items.values()]
    )
    assert "[redacted]" in shown
    for secret in (PASSWORD, quote_plus(PASSWORD), quote(PASSWORD, safe=""), DIGEST):
        assert secret not in shown


async def test_a_password_echoed_in_an_answer_that_is_not_json_is_scrubbed() -> None:
    """A 200 page that is not the JSON (a captive portal echoing the form) hides it too."""
    page = echo_page(SPELLINGS["decoded"], status=200)
    with set_testing(True):
        async with eeo.Client(1, SECRET, transport=MockTransport(page), max_attempts=1) as client:
            with pytest.raises(eeo.ProtocolError) as info:
                await client.register(telephone="15800000003", password="short-pw")
    assert "short-pw" not in str(info.value)


async def test_a_field_named_like_a_password_is_sent_only_over_https() -> None:
    """call() holds a plain ``password`` field to the typed methods' rule; a digest may go."""
    sent: list[MockRequest] = []

    def ok(request: MockRequest) -> dict[str, Any]:
        sent.append(request)
        return {"error_info": {"errno": 1, "error": "ok"}, "data": 1}

    with set_testing(True):
        async with eeo.Client(
            1, SECRET, base_url="http://school.example", transport=MockTransport(ok)
        ) as client:
            with pytest.raises(eeo.InputError, match="only over https") as info:
                await client.call("register", {"telephone": "158", "password": PASSWORD})
            with pytest.raises(eeo.InputError, match="only over https"):
                await client.register(telephone="15800000003", password=PASSWORD)
            envelope = await client.call("register", {"telephone": "158", "md5pass": DIGEST})
    assert PASSWORD not in str(info.value)
    assert envelope.ok
    assert [r.form["md5pass"] for r in sent] == [DIGEST]


async def test_a_body_too_large_leaves_no_signed_form_in_traceback_locals() -> None:
    """The answer over the body limit raises with no frame holding the signed request."""

    async def huge(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=b"x" * 5000, content_type="application/json")

    async with (
        _server(huge) as base_url,
        eeo.Client(1, SECRET, base_url=base_url, max_body_bytes=1000, max_attempts=1) as client,
    ):
        with pytest.raises(eeo.ResponseTooLargeError) as info:
            await client.register(telephone="15800000003", password=PASSWORD)
    shown = shown_locals(info.value)
    assert PASSWORD not in shown
    assert quote_plus(PASSWORD) not in shown
    assert SECRET not in shown
    assert not any(key in shown for key in safe_keys(SECRET, time.time()))


class _Server:
    def __init__(self, handler: Any) -> None:
        self.app = web.Application()
        self.app.router.add_post("/{tail:.*}", handler)
        self.runner = web.AppRunner(self.app)

    async def __aenter__(self) -> str:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{port}"

    async def __aexit__(self, *exc: object) -> None:
        await self.runner.cleanup()


def _server(handler: Any) -> _Server:
    return _Server(handler)


async def test_an_identical_body_of_another_row_is_not_handed_its_answer() -> None:
    """call() and a typed method sending the same form each send and decode their own."""
    sent = 0

    async def slow(request: MockRequest) -> dict[str, Any]:
        nonlocal sent
        sent += 1
        for _ in range(50):  # the other caller meets this request in flight meanwhile
            await asyncio.sleep(0)
        return {"error_info": {"errno": 1, "error": "ok"}, "data": [{"errno": 1, "error": "ok"}]}

    fields = {"courseId": 1, "studentUid": 2, "classJson": [3]}
    with set_testing(True):
        async with eeo.Client(1, SECRET, transport=MockTransport(slow)) as client:
            typed, free = await asyncio.gather(
                client.add_course_class_student(1, 2, [3]),
                client.call("addCourseClassStudent", fields, safe_to_repeat=True),
            )
            again = await asyncio.gather(
                client.add_course_class_student(1, 2, [3]),
                client.add_course_class_student(1, 2, [3]),
            )
    assert [s.errno for s in typed] == [1]
    assert isinstance(free, eeo.Envelope)
    assert free.ok
    assert again[0] == again[1]
    assert sent == 3  # the two typed calls of one row shared one request


def test_a_base_url_with_a_user_and_password_is_refused_without_showing_them() -> None:
    """Credentials in the base URL would reach errors and reports: refused, never quoted."""
    for url in ("https://admin:hunter2@api.eeo.cn", "https://hunter2@api.eeo.cn"):
        with pytest.raises(eeo.InputError, match="user or password") as info:
            eeo.Client(1, SECRET, base_url=url)
        assert "hunter2" not in str(info.value)
    with pytest.raises(eeo.InputError) as bad:
        eeo.Client(1, SECRET, base_url="ftp://admin:hunter2@api.eeo.cn")
    assert "hunter2" not in str(bad.value)
    with pytest.raises(eeo.InputError, match="scheme and host only"):
        eeo.Client(1, SECRET, base_url="https://api.eeo.cn/?sid=1")


async def test_a_password_refused_or_lost_is_no_frames_local() -> None:
    """A bad password's error, and a lost call() of a password field, leave no frame holding it."""

    def lost(request: MockRequest) -> dict[str, Any]:
        raise eeo.RequestTimeoutError(request.action, "no complete answer within the timeout")

    with set_testing(True):
        async with eeo.Client(1, SECRET, transport=MockTransport(lost), max_attempts=1) as client:
            with pytest.raises(eeo.InputError) as short:
                await client.register(telephone="15800000003", password="pw-5")
            with pytest.raises(eeo.InputError) as bad_digest:
                await client.modify_password(1, "Not-A-Digest-" + PASSWORD, password=PASSWORD)
            with pytest.raises(eeo.TransportError) as free:
                await client.call("register", {"telephone": "158", "password": PASSWORD})
    assert "pw-5" not in shown_locals(short.value)
    assert PASSWORD not in shown_locals(bad_digest.value)
    assert PASSWORD not in shown_locals(free.value)
    assert "pw-5" not in str(short.value)
