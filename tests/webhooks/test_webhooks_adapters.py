"""The aiohttp and ASGI adapters: thin over handle(), the body capped while it streams."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from webhooks_support import SECRET, SID, body, net, sign

from eeo_async.webhooks import ACK_BODY, MemoryStore, Receiver

CAP = 4096


@pytest.fixture
async def served() -> AsyncIterator[tuple[Receiver, str, int]]:
    """A receiver's aiohttp app on 127.0.0.1, a free port: (receiver, URL, port)."""
    receiver = Receiver(SID, SECRET, max_body=CAP)
    runner = web.AppRunner(receiver.aiohttp_app("/classin"), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    yield receiver, f"http://127.0.0.1:{port}/classin", port
    await runner.cleanup()


async def _raw(port: int, head: bytes, parts: list[bytes]) -> bytes:
    """Send a request's head and some body parts, never its end, and read the answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head)
    for part in parts:
        writer.write(part)
        await writer.drain()
    answer = await asyncio.wait_for(reader.read(65536), 10)
    writer.close()
    return answer


async def test_aiohttp_app_acks_refuses_and_answers_json(served: tuple[Receiver, str, int]) -> None:
    """The aiohttp app answers each push with handle()'s reply, as JSON."""
    receiver, url, _ = served
    async with aiohttp.ClientSession() as session:
        async with session.post(
            url, data=body(net(1)), headers={"Content-Type": "application/json"}
        ) as r:
            assert (r.status, await r.read()) == (200, ACK_BODY)
            assert r.headers["Content-Type"] == "application/json; charset=utf-8"
        async with session.post(url, data=body(sign({"Cmd": "End"}, secret="x"))) as r:
            assert r.status == 403
        async with session.post(url, data=b"not json") as r:
            assert r.status == 400
        async with session.get(url) as r:
            assert r.status == 405
    assert receiver.stats.acked == 1


async def test_aiohttp_app_refuses_a_declared_large_body_without_reading_it(
    served: tuple[Receiver, str, int],
) -> None:
    """A Content-Length over the cap is answered 413 at once; the body never arrives whole."""
    receiver, _, port = served
    head = (
        b"POST /classin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000000000\r\n\r\n"
    )
    answer = await _raw(port, head, [b'{"SID": 1'])
    assert answer.startswith(b"HTTP/1.1 413")
    assert receiver.stats.too_large == 1


async def test_aiohttp_app_stops_reading_a_streamed_body_past_the_cap(
    served: tuple[Receiver, str, int],
) -> None:
    """A chunked body is refused with 413 once past the cap, while it is still streaming."""
    receiver, _, port = served
    head = b"POST /classin HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = b"x" * 1024
    parts = [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * (CAP // 1024 + 2)
    answer = await _raw(port, head, parts)  # the terminating chunk is never sent
    assert answer.startswith(b"HTTP/1.1 413")
    assert receiver.stats.too_large == 1


async def test_aiohttp_app_closes_the_store_on_cleanup() -> None:
    """Cleaning up the application closes the receiver's store."""
    closed: list[bool] = []

    class Store(MemoryStore):
        async def close(self) -> None:
            closed.append(True)

    runner = web.AppRunner(Receiver(SID, SECRET, store=Store()).aiohttp_app())
    await runner.setup()
    await runner.cleanup()
    assert closed == [True]


# ------------------------------------------------------------------------ ASGI

Message = MutableMapping[str, Any]


class Conversation:
    """A hand-written ASGI server side: feeds request messages, collects the answer."""

    def __init__(self, messages: list[Message]) -> None:
        self.incoming = list(messages)
        self.read = 0
        self.sent: list[Message] = []

    async def receive(self) -> Message:
        self.read += 1
        if self.incoming:
            return self.incoming.pop(0)
        await asyncio.Event().wait()  # a client that never sends the rest
        raise AssertionError("unreachable")

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent[1:])


def _scope(method: str = "POST", headers: list[tuple[bytes, bytes]] | None = None) -> Message:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "path": "/classin",
        "root_path": "",
        "headers": headers or [(b"content-type", b"application/json")],
    }


async def test_asgi_app_acks_a_push_sent_in_parts() -> None:
    """The ASGI app joins the body's parts, and answers the ack with its headers."""
    app = Receiver(SID, SECRET).asgi_app()
    raw = body(net(1))
    talk = Conversation(
        [
            {"type": "http.request", "body": raw[:10], "more_body": True},
            {"type": "http.request", "body": raw[10:], "more_body": False},
        ]
    )
    await app(_scope(), talk.receive, talk.send)
    assert (talk.status, talk.body) == (200, ACK_BODY)
    headers = dict(talk.sent[0]["headers"])
    assert headers[b"content-type"] == b"application/json; charset=utf-8"
    assert headers[b"content-length"] == str(len(ACK_BODY)).encode()


async def test_asgi_app_refuses_other_methods_and_bad_pushes() -> None:
    """GET is 405; a forged push 403; a push over the cap, declared or streamed, 413."""
    receiver = Receiver(SID, SECRET, max_body=CAP)
    app = receiver.asgi_app()
    talk = Conversation([])
    await app(_scope("GET"), talk.receive, talk.send)
    assert talk.status == 405

    talk = Conversation([{"type": "http.request", "body": body(sign({"Cmd": "End"}, sid=1))}])
    await app(_scope(), talk.receive, talk.send)
    assert talk.status == 403

    declared = _scope(headers=[(b"content-length", b"1000000000")])
    talk = Conversation([])
    await app(declared, talk.receive, talk.send)
    assert (talk.status, talk.read) == (413, 0)  # not one message of the body was read

    chunk = {"type": "http.request", "body": b"x" * 1024, "more_body": True}
    talk = Conversation([dict(chunk) for _ in range(100)])
    await app(_scope(), talk.receive, talk.send)
    assert talk.status == 413
    assert talk.read == CAP // 1024 + 1  # it stopped reading as soon as the cap was passed
    assert receiver.stats.too_large == 2


async def test_asgi_app_reads_a_content_length_of_thousands_of_digits_as_unknown() -> None:
    """A Content-Length past int()'s limit is no error: the body is read, capped, as without one."""
    receiver = Receiver(SID, SECRET, max_body=CAP)
    absurd = _scope(headers=[(b"content-length", b"9" * 5000)])
    talk = Conversation([{"type": "http.request", "body": body(net(1))}])
    await receiver.asgi_app()(absurd, talk.receive, talk.send)
    assert (talk.status, talk.body) == (200, ACK_BODY)


async def test_asgi_app_gives_up_quietly_when_the_client_leaves() -> None:
    """A client gone before its body arrived gets no answer and no handler runs."""
    receiver = Receiver(SID, SECRET)
    talk = Conversation(
        [{"type": "http.request", "body": b"{", "more_body": True}, {"type": "http.disconnect"}]
    )
    await receiver.asgi_app()(_scope(), talk.receive, talk.send)
    assert talk.sent == []
    assert receiver.stats.malformed == 0


async def test_asgi_lifespan_closes_the_store() -> None:
    """As the top-level app, lifespan startup completes and shutdown closes the store."""
    closed: list[bool] = []

    class Store(MemoryStore):
        async def close(self) -> None:
            closed.append(True)

    app = Receiver(SID, SECRET, store=Store()).asgi_app()
    talk = Conversation([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    await app({"type": "lifespan"}, talk.receive, talk.send)
    assert [m["type"] for m in talk.sent] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
    assert closed == [True]
    await app({"type": "websocket"}, talk.receive, talk.send)  # not served, no error
