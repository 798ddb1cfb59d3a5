"""Benchmark of ``eeo-async receive``: acks per second against a bare aiohttp ack, and memory.

Both servers run in their own process on 127.0.0.1 and get the same signed pushes (the
docs' samples, each with its own ``_id``) from one aiohttp client in this process, with
1 push in flight (ClassIn's own pattern: one ordered queue, the next push after the ack)
or more; the two are measured side by side, interleaved in each repetition. The bare
server reads the body and answers the success JSON, nothing else; ``receive`` verifies,
parses, deduplicates and commits each push to its SQLite store (WAL, synchronous=FULL)
before it acks. Memory: ``receive``'s RSS and peak RSS (VmHWM) after 10,000 and after
100,000 pushes. Numbers are printed, never asserted.

``run.py`` prints its tables (g) and (h); alone: ``python benchmarks/receive.py [--smoke]``.
``python benchmarks/receive.py bare`` is the bare server itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import aiohttp

HERE = Path(__file__).resolve().parent
#: The receiving school's credentials; never printed.
SID = 1
SECRET = "benchmark-secret"
ACK = '{"error_info":{"errno":1,"error":"程序正常执行"}}'.encode()


# ------------------------------------------------------------------ the servers


def serve_bare() -> None:
    """The floor: read the body, answer the ack; print the port; stop when stdin closes."""
    from aiohttp import web

    async def post(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=ACK, content_type="application/json", charset="utf-8")

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/classin", post)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        print(json.dumps({"port": runner.addresses[0][1]}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        await runner.cleanup()

    asyncio.run(main())


class Server:
    """A server process: ``bare`` (this script) or ``receive`` (the command, own store)."""

    def __init__(self, kind: str, store: Path | None = None) -> None:
        self.kind = kind
        if kind == "bare":
            args = [sys.executable, str(HERE / "receive.py"), "bare"]
            env = dict(os.environ)
        else:
            args = [sys.executable, "-m", "eeo_async._cli", "receive", "--port", "0"]
            args += ["--store", str(store), "--every", "86400"]
            if kind == "receive normal":
                args += ["--sync", "normal"]
            env = {**os.environ, "EEO_SID": str(SID), "EEO_SECRET": SECRET}
        self.process = subprocess.Popen(  # noqa: S603 - our own scripts
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        if kind == "bare":
            port = json.loads(first)["port"]
        else:
            port = int(first.split("http://127.0.0.1:")[1].split("/")[0])
        self.url = f"http://127.0.0.1:{port}/classin"

    def cpu(self) -> float:
        """User + system CPU seconds of the server process so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def memory_mb(self) -> tuple[float, float]:
        """(VmRSS, VmHWM) of the server process in MB."""
        values = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0]) / 1024
        return values["VmRSS"], values["VmHWM"]

    def close(self) -> None:
        """Stop it: stdin closed for the bare one, SIGTERM (a clean stop) for receive."""
        assert self.process.stdin is not None
        if self.kind != "bare":
            self.process.send_signal(signal.SIGTERM)
        self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        finally:
            if self.process.stdout is not None:
                self.process.stdout.close()


@contextmanager
def running(kind: str, store: Path | None = None) -> Iterator[Server]:
    """A server for the duration of the block."""
    server = Server(kind, store)
    try:
        yield server
    finally:
        server.close()


# -------------------------------------------------------------------- the load


def pushes(start: int, count: int) -> list[bytes]:
    """``count`` signed pushes: the docs' samples in turn, each with a new ``_id``."""
    from eeo_async.testing import samples

    kinds = [doc for doc in samples(SID, SECRET).values() if doc["Cmd"] != "Test"]
    bodies = []
    for number in range(start, start + count):
        doc = {**kinds[number % len(kinds)], "_id": f"{number:024x}"}
        bodies.append(json.dumps(doc, ensure_ascii=False).encode())
    return bodies


async def _push(url: str, bodies: Sequence[bytes], in_flight: int) -> tuple[float, int]:
    """Push every body with ``in_flight`` workers; (wall seconds, answers that were not the ack)."""
    headers = {"Content-Type": "application/json", "Origin": "http://www.eeo.cn"}
    queue = iter(bodies)
    wrong = 0

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal wrong
        for data in queue:
            async with session.post(url, data=data, headers=headers) as response:
                if response.status != 200 or await response.read() != ACK:
                    wrong += 1

    connector = aiohttp.TCPConnector(limit=in_flight)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(in_flight)))
        return time.perf_counter() - started, wrong


def push(server: Server, bodies: Sequence[bytes], in_flight: int) -> dict[str, float]:
    """One measurement: acks per second and the server's CPU per ack."""
    before = server.cpu()
    wall, wrong = asyncio.run(_push(server.url, bodies, in_flight))
    if wrong:
        raise RuntimeError(f"{server.kind}: {wrong} pushes were not acked")
    return {
        "acks_per_s": len(bodies) / wall,
        "cpu_ms_per_ack": 1000 * (server.cpu() - before) / len(bodies),
    }


# ------------------------------------------------------------------ measurements


#: The servers compared: the floor, receive as it ships, receive with ``--sync normal``.
KINDS = ("bare", "receive", "receive normal")


def throughput(
    messages: int, in_flights: Sequence[int], reps: int
) -> dict[tuple[int, str], list[dict[str, float]]]:
    """Acks per second of each server for each number in flight, interleaved per repetition."""
    runs: dict[tuple[int, str], list[dict[str, float]]] = {}
    next_id = 0
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        servers = [
            stack.enter_context(running(kind, Path(folder) / f"{i}.db"))
            for i, kind in enumerate(KINDS)
        ]
        warm = pushes(10**9, 200)  # connections, imports and the stores' first pages
        for server in servers:
            push(server, warm, 4)
        for _ in range(reps):
            for in_flight in in_flights:
                for server in servers:
                    bodies = pushes(next_id, messages)
                    next_id += messages  # new _ids: receive must handle each, not dedup
                    runs.setdefault((in_flight, server.kind), []).append(
                        push(server, bodies, in_flight)
                    )
    return runs


def memory(points: Sequence[int], in_flight: int = 16) -> list[tuple[int, float, float, float]]:
    """receive's (pushes so far, RSS MB, peak MB, store MB) after each point, one process."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "events.db"
        with running("receive", store) as receive:
            done = 0
            for point in points:
                for start in range(done, point, 10_000):  # bodies built 10,000 at a time
                    push(receive, pushes(start, min(10_000, point - start)), in_flight)
                done = point
                rss, peak = receive.memory_mb()
                size = sum(p.stat().st_size for p in Path(folder).iterdir()) / 1e6
                rows.append((point, rss, peak, size))
    return rows


def median_range(values: Sequence[float], fmt: str = ".0f") -> str:
    """``median [min-max]``, or the value alone for one."""
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:{fmt}}"
    return f"{median:{fmt}} [{min(values):{fmt}}-{max(values):{fmt}}]"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", nargs="?", default="bench", choices=["bench", "bare"])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes")
    args = parser.parse_args(argv)
    if args.mode == "bare":
        serve_bare()
        return
    messages, reps, points = (200, 1, (300, 1_000)) if args.smoke else (3_000, 3, (10_000, 100_000))
    runs = throughput(messages, (1, 16), reps)
    for (in_flight, kind), values in sorted(runs.items()):
        rates = [v["acks_per_s"] for v in values]
        print(f"{kind:8} {in_flight:3} in flight: {median_range(rates)} acks/s")
    for point, rss, peak, size in memory(points):
        print(f"after {point:,} pushes: RSS {rss:.1f} MB, peak {peak:.1f} MB, store {size:.1f} MB")


if __name__ == "__main__":
    main()
