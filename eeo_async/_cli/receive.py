"""The data-subscription commands: ``receive`` serves pushes into a store, two others read it.

``receive`` acks a push only once it is committed to the store (``SQLiteStore`` with
``events=True``), so a kill at any moment loses nothing that was acked, and a restart on
the same store goes on where it stopped: ClassIn pushes again whatever was not acked.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import datetime as dt
import itertools
import logging
import os
import signal
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

import attrs
from aiohttp import web

from .._constants import LOGGER_NAME
from ..webhooks import (
    DEFAULT_MAX_BODY,
    LessonEnd,
    Receiver,
    ReceiverStats,
    SQLiteStore,
    StoredEvent,
)
from .base import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    _credentials,
    _err,
    _int_between,
    _number,
    _Usage,
)

#: Columns of ``attendance``: one row per member and lesson.
ATTENDANCE_COLUMNS = (
    "course_id",
    "class_id",
    "lesson_start",
    "uid",
    "identity",
    "role",
    "first_in",
    "last_out",
    "minutes_present",
)
EVENT_COLUMNS = ("seq", "received", "cmd", "_id", "course_id", "class_id", "action_time", "message")


# ------------------------------------------------------------------- receive


def receive_options(sub: argparse.ArgumentParser) -> None:
    """The options of ``receive``."""
    sub.add_argument(
        "--port", type=_int_between(0, 65535), required=True, help="0: any free port (printed)"
    )
    sub.add_argument(
        "--store",
        type=Path,
        required=True,
        metavar="FILE",
        help="SQLite store (created if missing)",
    )
    sub.add_argument("--path", default="/classin", help="the URL path ClassIn posts to")
    sub.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, behind your TLS proxy; 0.0.0.0: all)",
    )
    sub.add_argument("--sid", metavar="ID", help="school ID (default: $EEO_SID)")
    sub.add_argument(
        "--secret-file", type=Path, metavar="FILE", help="file whose first line is the secret"
    )
    sub.add_argument(
        "--max-age",
        type=_number(1, 10**9),
        metavar="SECONDS",
        help="refuse pushes stamped longer ago than this (default: no window, as the docs)",
    )
    sub.add_argument(
        "--max-body",
        type=_int_between(1024, 1 << 30),
        default=DEFAULT_MAX_BODY,
        metavar="BYTES",
        help=f"refuse larger bodies with 413 (default {DEFAULT_MAX_BODY})",
    )
    sub.add_argument(
        "--sync",
        choices=("full", "normal"),
        default="full",
        help="full (default): every ack survives a power cut; normal: faster, survives a kill",
    )
    sub.add_argument(
        "--allow-unsigned",
        action="store_true",
        help="accept pushes without SafeKey/TimeStamp (only behind an allowlist of ClassIn)",
    )
    # Seconds between the count lines; tests shorten it.
    sub.add_argument("--every", type=_number(0.05, 86400), default=60.0, help=argparse.SUPPRESS)
    sub.set_defaults(base_url=None)


def receive(args: argparse.Namespace) -> int:
    """Serve a receiver until SIGINT (exit 130) or SIGTERM (exit 0, a service's normal stop)."""
    sid, secret, _ = _credentials(args)
    if not str(args.path).startswith("/"):
        raise _Usage(f"--path {args.path!r} must start with /")
    store = _open_store(args.store, create=True, synchronous=args.sync)
    receiver = Receiver(
        sid,
        secret,
        store=store,
        max_body=args.max_body,
        max_age=args.max_age,
        allow_unsigned=args.allow_unsigned,
    )
    return asyncio.run(_serve(args, receiver, store))


async def _serve(args: argparse.Namespace, receiver: Receiver, store: SQLiteStore) -> int:
    runner = web.AppRunner(receiver.aiohttp_app(args.path), access_log=None, handle_signals=False)
    await runner.setup()  # its cleanup closes the store
    try:
        await web.TCPSite(runner, args.host, args.port).start()
    except OSError as exc:
        await runner.cleanup()
        _err(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
        return EXIT_USAGE
    host, port = runner.addresses[0][:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"listening on http://{shown}:{port}{args.path} (store {store.path}); Ctrl-C to stop")
    sys.stdout.flush()
    stop = asyncio.Event()
    signals: list[int] = []
    loop = asyncio.get_running_loop()

    def stopped(number: int) -> None:
        signals.append(number)
        stop.set()

    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, stopped, number)
    log = _log_to_stderr()
    try:
        before = _snapshot(receiver.stats)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), args.every)
            print(_count_line(receiver.stats, before))
            sys.stdout.flush()
            before = _snapshot(receiver.stats)
    finally:
        logging.getLogger(LOGGER_NAME).removeHandler(log)
        await runner.cleanup()
    print(f"stopped; {receiver.stats.acked} messages acked and stored since the start")
    return EXIT_INTERRUPTED if signals and signals[0] == signal.SIGINT else EXIT_OK


def _log_to_stderr() -> logging.Handler:
    """Warnings (refused pushes) and errors on stderr with their time; never a SafeKey."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    handler.setLevel(logging.WARNING)
    logging.getLogger(LOGGER_NAME).addHandler(handler)
    return handler


def _snapshot(stats: ReceiverStats) -> ReceiverStats:
    return attrs.evolve(stats, by_cmd=Counter(stats.by_cmd))


def _count_line(now: ReceiverStats, before: ReceiverStats) -> str:
    """One line of counts since ``before``: acked by Cmd, duplicates, refused, failed."""
    new = now.by_cmd - before.by_cmd
    by_cmd = ", ".join(f"{cmd} {n}" for cmd, n in sorted(new.items()))
    bad = now.malformed + now.too_large - before.malformed - before.too_large
    failed = now.failed + now.store_errors - before.failed - before.store_errors
    return (
        f"{time.strftime('%Y-%m-%d %H:%M:%S')} acked {now.acked - before.acked}"
        + (f" ({by_cmd})" if by_cmd else "")
        + f", duplicates {now.duplicates - before.duplicates}"
        + f", tests {now.tests - before.tests}"
        + f", refused {now.refused - before.refused}"
        + f", bad {bad}, failed {failed}; {now.acked} acked since the start"
    )


def _open_store(path: Path, *, create: bool, synchronous: str = "full") -> SQLiteStore:
    if not create and not path.is_file():
        raise _Usage(f"{path}: no such store")
    try:
        return SQLiteStore(path, events=True, synchronous=synchronous)
    except (sqlite3.Error, OSError) as exc:
        message = f"cannot open the store {path}: {exc}"
        raise _Usage(message) from None


# -------------------------------------------------------------------- events


def _when(text: str) -> float:
    """A time: Unix seconds, or an ISO date or date-time (local time unless it has an offset)."""
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        message = f"not a time: {text!r} (2025-03-07, 2025-03-07T10:00, or Unix seconds)"
        raise argparse.ArgumentTypeError(message) from None
    return moment.timestamp()  # a naive time is local time, as a person means it


def _shown_time(seconds: float | None, utc: bool) -> str:
    if seconds is None:
        return ""
    moment = dt.datetime.fromtimestamp(seconds, dt.UTC if utc else None)
    return moment.astimezone(dt.UTC if utc else None).isoformat(timespec="seconds")


def events_options(sub: argparse.ArgumentParser) -> None:
    """The options of ``events``."""
    sub.add_argument("file", type=Path, help="the store of eeo-async receive")
    sub.add_argument(
        "--cmd", action="append", default=[], metavar="CMD", help="only this Cmd (repeatable)"
    )
    sub.add_argument(
        "--since", type=_when, metavar="WHEN", help="only messages stored at or after WHEN"
    )
    sub.add_argument("--csv", action="store_true", help="CSV with one row a message")
    sub.add_argument("--utc", action="store_true", help="times in UTC (default: local time)")


def events(args: argparse.Namespace) -> int:
    """Print the stored messages: one JSON object a line, or CSV."""
    store = _open_store(args.file, create=False)
    try:
        stored = store.read(cmds=tuple(args.cmd), since=args.since)
        if args.csv:
            _write(_csv_lines(EVENT_COLUMNS, (_event_row(s, args.utc) for s in stored)))
        else:
            _write(s.text + "\n" for s in stored)
    finally:
        asyncio.run(store.close())
    return EXIT_OK


def _event_row(stored: StoredEvent, utc: bool) -> tuple[object, ...]:
    # The typed event reads every wire path of its fields (Data.ClassId of the scores too).
    event = stored.event
    return (
        stored.seq,
        _shown_time(stored.received, utc),
        stored.cmd,
        stored.id or "",
        event.course_id or "",
        event.class_id or "",
        "" if event.action_time is None else event.action_time,
        stored.text,
    )


# ---------------------------------------------------------------- attendance


def attendance_options(sub: argparse.ArgumentParser) -> None:
    """The options of ``attendance``."""
    sub.add_argument("file", type=Path, help="the store of eeo-async receive")
    sub.add_argument("--csv", action="store_true", help="CSV (default: an aligned table)")
    sub.add_argument("--utc", action="store_true", help="times in UTC (default: local time)")


def attendance(args: argparse.Namespace) -> int:
    """Print one row per member and lesson from the stored ``End`` messages."""
    store = _open_store(args.file, create=False)
    try:
        lessons: dict[object, LessonEnd] = {}
        for stored in store.read(cmds=("End",)):
            event = stored.event
            if isinstance(event, LessonEnd):
                # A lesson summarised twice keeps its latest summary.
                lessons[event.class_id or event.key] = event
        rows = list(_attendance_rows(lessons.values(), args.utc))
    finally:
        asyncio.run(store.close())
    if args.csv:
        _write(_csv_lines(ATTENDANCE_COLUMNS, rows))
    else:
        _write(_table(ATTENDANCE_COLUMNS, rows))
    return EXIT_OK


def _attendance_rows(lessons: Iterable[LessonEnd], utc: bool) -> Iterator[tuple[object, ...]]:
    ordered = sorted(lessons, key=lambda e: (e.course_id or 0, e.start_time or 0, e.class_id or 0))
    for lesson in ordered:
        for member in lesson.attendance:
            yield (
                lesson.course_id or "",
                lesson.class_id or "",
                _shown_time(lesson.start_time, utc),
                member.uid,
                "" if member.identity is None else member.identity,
                member.role or "",
                _shown_time(member.first_in, utc),
                _shown_time(member.last_out, utc),
                f"{member.seconds / 60:.1f}",
            )


# -------------------------------------------------------------------- output


class _Lines:
    """A file-like sink collecting what csv.writer writes, one row at a time."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)


def _csv_lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """CSV text row by row, so that a large store streams out."""
    sink = _Lines()
    writer = csv.writer(sink, lineterminator="\n")
    for row in itertools.chain([header], rows):
        writer.writerow(row)
        yield sink.text
        sink.text = ""


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> Iterator[str]:
    cells = [list(header), *([str(c) for c in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        yield "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n"


def _write(lines: Iterable[str], out: TextIO | None = None) -> None:
    out = out or sys.stdout
    try:
        for line in lines:
            out.write(line)
        out.flush()
    except BrokenPipeError:
        # The reader (head, say) stopped early: not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
