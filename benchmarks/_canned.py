"""A canned ClassIn answer server, so the benchmarks measure the client and not a server.

It speaks just enough HTTP/1.1 (keep-alive, ``Content-Length`` bodies) to answer every
POST with ``{"error_info":{"errno":1,...},"data":[...]}`` holding one entry per item
sent, counted from the commas of the form's ``...Json=`` field, without parsing JSON
and without checking anything (no signature, no IDs). A v2 body (JSON, as addStudent
sends) is answered ``{"code":1,"msg":...,"data":[...]}`` with one entry per student of
its ``studentUids``, each naming its ``studentUid``. Options:

* ``--latency S``: every answer is written S seconds after its request arrived.
* ``--busy P``: a fraction P of items is answered errno 114 instead, drawn
  deterministically from ``(seed, target, item, attempt of that item)``; only then is
  the form parsed, and the server logs, per target (the student of an enrolment) and
  attempt number, how many items it answered 114, so the best possible retry count can
  be computed exactly.

It binds 127.0.0.1 on a free port and prints ``{"port": N}`` as its first line. Its
standard input takes commands, one a line: ``stats`` prints one JSON line (its own CPU
seconds from ``getrusage(RUSAGE_SELF)``, requests, items, the 114 log), ``reset``
clears the counters and the log. It stops when its standard input closes (printing a
last ``stats`` line) or after ``--max-seconds``, whichever comes first.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import resource
import sys
import threading
from collections import Counter
from urllib.parse import unquote_to_bytes

OK_ENTRY = '{"errno":1,"error":"程序正常执行"}'.encode()
BUSY_ENTRY = '{"errno":114,"error":"服务器异常"}'.encode()
OK_HEAD = '{"error_info":{"errno":1,"error":"程序正常执行"},"data":['.encode()
#: A v2 answer (``{code, msg, data}``): each entry names its student, as addStudent's do.
V2_HEAD = '{"code":1,"msg":"程序正常执行","data":['.encode()
V2_ENTRY = '{{"studentUid":{},"code":1,"msg":"程序正常执行"}}'
MAX_HEAD_BYTES = 16 * 1024
MAX_BODY_BYTES = 1024 * 1024
MAX_REQUESTS_PER_READ = 1_000  # a bound on the parsing loop of one data_received
MAX_COMMANDS = 1_000_000  # a bound on the command loop
MAX_ITEMS = 1_000  # answers are built for at most this many items
MAX_CACHED = 10_000  # v2 answers kept


def _response(body: bytes) -> bytes:
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def _answer(entries: list[bytes]) -> bytes:
    return _response(OK_HEAD + b",".join(entries) + b"]}")


def count_items(body: bytes) -> int:
    """Items in a form: commas of its first ``...Json=`` field plus one (0 if empty)."""
    start = body.find(b"Json=")
    if start < 0:
        return 1  # no list field: one item, e.g. a group call
    start += 5
    end = body.find(b"&", start)
    value = body[start:] if end < 0 else body[start:end]
    if value in (b"", b"%5B%5D", b"[]"):
        return 0
    return value.count(b"%2C") + value.count(b"%2c") + value.count(b",") + 1


class Stats:
    """What the server did since the last reset."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Start counting afresh (the CPU counter is the process's and goes on)."""
        self.requests = 0
        self.items = 0
        self.busy_items = 0
        #: (target, attempt of the item) -> items answered 114 at that attempt.
        self.busy_log: Counter[tuple[str, int]] = Counter()
        #: (target, item) -> attempts seen so far (only with --busy).
        self.attempts: Counter[tuple[str, str]] = Counter()

    def as_dict(self) -> dict[str, object]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "cpu": usage.ru_utime + usage.ru_stime,
            "requests": self.requests,
            "items": self.items,
            "busy_items": self.busy_items,
            "busy_log": [[t, a, n] for (t, a), n in sorted(self.busy_log.items())],
        }


class Canned:
    """The answers: cached for all-ok calls, drawn per item with ``--busy``."""

    def __init__(self, busy: float, seed: int, stats: Stats) -> None:
        self.busy = busy
        self.seed = seed
        self.stats = stats
        self.ok = [_answer([OK_ENTRY] * n) for n in range(MAX_ITEMS + 1)]
        #: v2 answers by the ``studentUids`` they answer.
        self.v2: dict[bytes, tuple[int, bytes]] = {}

    def answer(self, body: bytes) -> bytes:
        stats = self.stats
        stats.requests += 1
        if body.startswith(b"{"):
            return self._v2_answer(body)
        if self.busy <= 0:
            count = min(count_items(body), MAX_ITEMS)
            stats.items += count
            return self.ok[count]
        return self._busy_answer(body)

    def _v2_answer(self, body: bytes) -> bytes:
        """addStudent's answer: an entry naming each student of ``studentUids``."""
        start = body.find(b'"studentUids":[')
        end = body.find(b"]", start)
        listed = body[start + 15 : end] if start >= 0 and end > start else b""
        cached = self.v2.get(listed)
        if cached is None:
            uids = [uid.strip(b'" ').decode() for uid in listed.split(b",") if uid.strip()]
            entries = ",".join(V2_ENTRY.format(uid) for uid in uids[:MAX_ITEMS]).encode()
            if len(self.v2) >= MAX_CACHED:
                self.v2.clear()
            # Cached like the v1 answers, so that the server answers both as fast.
            cached = self.v2[listed] = (len(uids), _response(V2_HEAD + entries + b"]}"))
        self.stats.items += cached[0]
        return cached[1]

    def _busy_answer(self, body: bytes) -> bytes:
        stats = self.stats
        form = dict(pair.split(b"=", 1) for pair in body.split(b"&") if b"=" in pair)
        target = (form.get(b"studentUid") or form.get(b"classId") or b"?").decode()
        field = next((v for k, v in form.items() if k.endswith(b"Json")), b"%5B%5D")
        items = [str(i) for i in json.loads(unquote_to_bytes(field.replace(b"+", b" ")))]
        stats.items += len(items)
        entries = []
        for item in items[:MAX_ITEMS]:
            key = (target, item)
            stats.attempts[key] += 1
            attempt = stats.attempts[key]
            digest = hashlib.blake2b(
                f"{self.seed}:{target}:{item}:{attempt}".encode(), digest_size=8
            ).digest()
            if int.from_bytes(digest, "big") < self.busy * 2**64:
                stats.busy_items += 1
                stats.busy_log[target, attempt] += 1
                entries.append(BUSY_ENTRY)
            else:
                entries.append(OK_ENTRY)
        return _answer(entries)


class HTTPProtocol(asyncio.Protocol):
    """One keep-alive connection: parse requests, write canned answers."""

    def __init__(self, canned: Canned, latency: float) -> None:
        self.canned = canned
        self.latency = latency
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        for _ in range(MAX_REQUESTS_PER_READ):
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(buffer) > MAX_HEAD_BYTES:
                    self._close()
                return
            head = bytes(buffer[:end]).lower()
            length = 0
            at = head.find(b"\r\ncontent-length:")
            if at >= 0:
                stop = head.find(b"\r\n", at + 2)
                length = int(head[at + 17 : stop if stop >= 0 else None])
            if length > MAX_BODY_BYTES:
                self._close()
                return
            total = end + 4 + length
            if len(buffer) < total:
                return
            body = bytes(buffer[end + 4 : total])
            del buffer[:total]
            response = self.canned.answer(body)
            if self.latency > 0:
                self.loop.call_later(self.latency, self._write, response)
            else:
                self._write(response)

    def _write(self, response: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(response)

    def _close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def _print(doc: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(doc) + "\n")
    sys.stdout.flush()


async def _commands(stats: Stats) -> None:
    """Serve commands from standard input until it closes (read by a daemon thread)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[bytes] = asyncio.Queue()

    def read() -> None:
        for _ in range(MAX_COMMANDS):
            line = sys.stdin.buffer.readline()
            try:
                loop.call_soon_threadsafe(queue.put_nowait, line)
            except RuntimeError:  # the loop has closed
                return
            if not line:
                return

    threading.Thread(target=read, daemon=True).start()
    for _ in range(MAX_COMMANDS):
        line = await queue.get()
        if not line:
            return
        line = line.strip()
        if line == b"stats":
            _print(stats.as_dict())
        elif line == b"reset":
            stats.reset()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before answering")
    parser.add_argument("--busy", type=float, default=0.0, help="fraction of items answered 114")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-seconds", type=float, default=3600.0, help="stop after this")
    args = parser.parse_args()
    stats = Stats()
    canned = Canned(args.busy, args.seed, stats)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: HTTPProtocol(canned, args.latency), "127.0.0.1", 0, backlog=1024
    )
    port = server.sockets[0].getsockname()[1]
    _print({"port": port})
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(_commands(stats), args.max_seconds)
    server.close()  # open connections end with the loop; waiting for them could hang
    _print(stats.as_dict())


if __name__ == "__main__":
    asyncio.run(main())
