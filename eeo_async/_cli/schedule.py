"""``eeo-async schedule``: a term's timetable into lessons (or LMS classrooms), safe to re-run.

Each row of the timetable is a lesson; its unique identity is derived from the course,
name, begin, end and teacher, so running the same timetable again creates nothing twice:
a lesson made before is reported ``already`` (a lesson whose name, times or teacher
changed in the file is a new lesson). With ``--journal``, every finished lesson and its
class ID are committed as they arrive, so after a kill at any moment the same command
skips what was done and completes ``--ids``; lessons done by an earlier run are not
checked against the clock again (they may have begun since). With ``--classrooms`` (and
``--unit ID``) each row becomes an LMS classroom (createClassroom), sent with the same
derived identity, and ``--ids`` holds each one's activity ID.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import io
import os
import sqlite3
import time
import zoneinfo
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from .._api import lesson_rules as rules
from .._api.classrooms import NewClassroom
from .._api.lesson_items import NewLesson
from .._batch.batcher import Batcher
from .._batch.plan import Plan, plan
from .._batch.report import BatchReport, Key
from .._errors import EEOError
from .._models import ItemResult
from .base import (
    EXIT_FAILED,
    EXIT_OK,
    Command,
    _check_output,
    _client,
    _credential_options,
    _err,
    _id,
    _Usage,
    job_options,
)
from .cells import InputFileError
from .ending import Signals, finish, progress_options
from .files import FILES
from .journal import Journal
from .timetable import Localise, TimetableFile, read_timetable


def _options(sub: argparse.ArgumentParser) -> None:
    _credential_options(sub)
    sub.add_argument(
        "--timetable",
        type=Path,
        required=True,
        metavar="FILE",
        help=f"the lessons, one a row ({FILES}): name, date, start, end, teacher_uid; "
        "optionally assistant_uids, seat_num, record, live, replay",
    )
    sub.add_argument(
        "--classrooms",
        action="store_true",
        help="create LMS classrooms (createClassroom, API v2) instead of lessons",
    )
    sub.add_argument(
        "--unit", type=_id, metavar="ID", help="with --classrooms: the unit to create them in"
    )
    sub.add_argument("--sheet", metavar="NAME", help="the workbook's sheet (default: the first)")
    sub.add_argument("--encoding", metavar="ENC", help="the CSV file's encoding (default: found)")
    sub.add_argument(
        "--timezone",
        metavar="TZ",
        help="the zone of the timetable's dates and times, e.g. Asia/Shanghai "
        "(default: the machine's; --dry-run prints it)",
    )
    sub.add_argument(
        "--ids",
        type=Path,
        metavar="OUT.csv",
        help="write each row of the timetable with its class ID, identity and outcome",
    )
    job_options(
        sub,
        pace=False,
        journal="SQLite journal: run the same command again after a stop to finish the job",
    )


# ------------------------------------------------------------------ time zones


def localiser(name: str | None) -> tuple[Localise, str]:
    """How the timetable's naive times become aware, and the zone in words.

    Raises:
        _Usage: an unknown zone name.
    """
    if name is None:
        now = dt.datetime.now().astimezone()
        offset = now.strftime("%z")
        label = os.environ.get("TZ") or now.tzname() or "local"
        words = f"the machine's time zone ({label}, UTC{offset[:3]}:{offset[3:]})"
        return (lambda naive: naive.astimezone()), words
    try:
        zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        message = f"--timezone {name!r} is not a time zone name such as Asia/Shanghai"
        raise _Usage(message) from None

    def localise(naive: dt.datetime) -> dt.datetime:
        aware = naive.replace(tzinfo=zone)
        back = aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
        if back != naive:
            message = f"{naive:%Y-%m-%d %H:%M} does not exist in {name} (the clocks skip it)"
            raise ValueError(message)
        return aware

    return localise, f"{name} (--timezone)"


# ----------------------------------------------------- class IDs beside the journal


class _ClassIds:
    """The class ID of each finished lesson, in a table of the journal's file.

    The journal keeps outcomes only; ``schedule`` needs the IDs of lessons done by an
    earlier run to complete ``--ids``, so it keeps them here, committed before the
    journal records the outcome (an outcome never lacks its ID).
    """

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS schedule_class_ids "
            "(identity TEXT PRIMARY KEY, class_id INTEGER NOT NULL)"
        )
        self._db.commit()

    def all(self) -> dict[str, int]:
        query = "SELECT identity, class_id FROM schedule_class_ids"
        return {str(k): int(v) for k, v in self._db.execute(query)}

    def record(self, results: Sequence[tuple[Key, ItemResult]]) -> None:
        rows = [(str(k), r.id) for k, r in results if r.id is not None]
        if rows:
            self._db.executemany("INSERT OR REPLACE INTO schedule_class_ids VALUES (?, ?)", rows)
            self._db.commit()

    def close(self) -> None:
        self._db.close()


# ----------------------------------------------------------------- the command


@attrs.frozen
class _Outcome:
    outcome: str
    class_id: int | None
    error: str = ""


def _check_begins(timetable: TimetableFile, lessons: Mapping[int, NewLesson]) -> None:
    """Refuse every bad row at once, in line order.

    The file's own, and the rows of ``lessons`` that begin in the past, less than a
    minute or more than 3 years ahead.
    """
    problems: list[tuple[int, str]] = []
    now = time.time()
    for row in timetable.rows:
        lesson = lessons.get(row.line)
        if lesson is None:
            continue
        try:
            rules.check_begin(lesson.begin_time, now=now)
        except EEOError as exc:
            shown = dt.datetime.fromtimestamp(lesson.begin_time).astimezone()
            text = f"{timetable.path}:{row.line}: {exc} ({shown:%Y-%m-%d %H:%M %Z})"
            problems.append((row.line, text))
    found = sorted([*problems, *timetable.problems])
    if found:
        raise InputFileError([text for _, text in found])


def _read(args: argparse.Namespace) -> tuple[TimetableFile, dict[int, NewLesson], str]:
    localise, zone = localiser(args.timezone)
    timetable = read_timetable(
        args.timetable, localise=localise, sheet=args.sheet, encoding=args.encoding, warn=_warn
    )
    course = args.course
    lessons = {row.line: row.lesson.for_course(course) for row in timetable.rows}
    first: dict[str, int] = {}
    for row in timetable.rows:
        key = lessons[row.line].key
        if key in first:
            _warn(
                f"{timetable.path}:{row.line}: the same lesson as line {first[key]} (name, "
                "times and teacher): it is created once"
            )
        first.setdefault(key, row.line)
    return timetable, lessons, zone


def _warn(text: str) -> None:
    _err(f"warning: {text}")


def _plan(args: argparse.Namespace, distinct: list[NewLesson]) -> Plan:
    """What the job would send (lessons 30 a call, or classrooms one a call)."""
    if args.classrooms:
        rooms = _classrooms(args, distinct)
        return plan("create_classrooms", {"course_id": args.course, "classrooms": rooms}, 30)
    return plan("create_lessons", {"course_id": args.course, "lessons": distinct}, 30)


def _schedule(args: argparse.Namespace) -> int:
    if args.unit is not None and not args.classrooms:
        raise _Usage("--unit is for --classrooms (an LMS unit holds classrooms, not lessons)")
    for path, flag in ((args.ids, "--ids"), (args.report, "--report"), (args.journal, "--journal")):
        _check_output(path, flag)
    timetable, lessons, zone = _read(args)
    if timetable.problems:  # all that is known now (with a journal, done rows may begin)
        _check_begins(timetable, lessons if args.journal is None else {})
    if args.dry_run:
        _check_begins(timetable, lessons)
        distinct = list({lesson.key: lesson for lesson in lessons.values()}.values())
        planned = _plan(args, distinct)
        begins = sorted(lesson.begin_time for lesson in distinct)
        shown = [dt.datetime.fromtimestamp(b).astimezone() for b in (begins[0], begins[-1])]
        print(f"times read in {zone}")
        print(
            f"dry run: {len(timetable.rows)} rows, {planned.items} lessons for course "
            f"{args.course} from {shown[0]:%Y-%m-%d %H:%M} to {shown[1]:%Y-%m-%d %H:%M}, "
            f"in {planned.calls} {planned.action} calls (at most {planned.max_chunk} "
            f"{'classrooms' if args.classrooms else 'lessons'} a call); nothing was sent"
        )
        return EXIT_OK
    return asyncio.run(_run(args, timetable, lessons))


class _Memory:
    """What a run remembers with ``--journal``: outcomes (the journal) and class IDs."""

    def __init__(self, args: argparse.Namespace, client: Any) -> None:
        self.journal: Journal | None = None
        self.ids: _ClassIds | None = None
        if args.journal is not None:
            identity = {
                "school": client.sid,
                "base_url": client.base_url,
                "operation": _verb(args),
                "unit": args.unit,
                "course": args.course,
                "target": {},
                # Lessons are known by their identities: a timetable edited between runs
                # is the same job, its new rows new lessons.
                "inputs": "by unique identity",
            }
            self.journal = Journal(args.journal, identity)
            self.ids = _ClassIds(args.journal)

    def finished(self) -> Mapping[Key, ItemResult]:
        return self.journal.finished(pairs=False) if self.journal is not None else {}

    def done(self) -> dict[str, _Outcome]:
        """The lessons an earlier run finished, with their class IDs."""
        known = self.ids.all() if self.ids is not None else {}
        return {
            str(key): _Outcome(result.outcome, known.get(str(key)))
            for key, result in self.finished().items()
            if result.ok
        }

    def record(self, results: Sequence[tuple[Key, ItemResult]]) -> None:
        if self.ids is not None:
            self.ids.record(results)  # the IDs first: a recorded outcome never lacks its ID
        if self.journal is not None:
            self.journal.record(results)

    def close(self) -> None:
        for store in (self.journal, self.ids):
            if store is not None:
                store.close()


async def _run(
    args: argparse.Namespace, timetable: TimetableFile, lessons: dict[int, NewLesson]
) -> int:
    report: BatchReport[Any] | None = None
    live: list[BatchReport[Any]] = []
    interrupted: int | None = None
    plain = False
    with Signals() as signals:
        async with _client(args) as client:
            memory = _Memory(args, client)
            try:
                outcomes = memory.done()
                if outcomes:
                    _err(f"journal {args.journal}: {len(outcomes)} lessons done before, skipped")
                todo = {line: x for line, x in lessons.items() if x.key not in outcomes}
                _check_begins(timetable, todo)
                if todo:
                    report, plain = await _create(args, client, todo, memory=memory, live=live)
                    _outcomes_of(report, outcomes)
            except asyncio.CancelledError:
                if not live:
                    raise
                # Ctrl-C or SIGTERM: the Batcher marked the lessons it never sent.
                report = live[0]
                _outcomes_of(report, outcomes)
                interrupted = signals.interrupted(report)
            finally:
                memory.close()
    _write_ids(args, timetable, lessons, outcomes)
    if report is None:
        print(f"all {len(outcomes)} lessons were created by an earlier run; nothing was sent")
        return EXIT_OK
    code = finish(
        report,
        args,
        base_url=client.base_url,
        flags={"course_id": f"--course {args.course}"},
        plain=plain,
        exit_code=interrupted,
    )
    missing = sum(1 for o in outcomes.values() if _done(o) and o.class_id is None)
    if missing:
        _err(
            f"note: {missing} lessons exist but the server did not give their class IDs "
            "(errno 398 without the ID): find them in eeo.cn by name and time"
        )
    return code if code != EXIT_OK or all(map(_done, outcomes.values())) else EXIT_FAILED


def _verb(args: argparse.Namespace) -> str:
    """The Batcher verb the command runs: lessons, or LMS classrooms."""
    return "create_classrooms" if args.classrooms else "create_lessons"


def _classrooms(args: argparse.Namespace, lessons: Sequence[NewLesson]) -> list[NewClassroom]:
    """Each lesson as an LMS classroom with the lesson's own identity, in ``--unit``."""
    return [
        NewClassroom(
            lesson.name,
            lesson.teacher_uid,
            lesson.begin_time,
            lesson.end_time,
            unit_id=args.unit,
            assistant_uids=lesson.assistant_uids or None,
            seat_num=lesson.seat_num,
            unique_identity=lesson.key,
        )
        for lesson in lessons
    ]


def _done(outcome: _Outcome) -> bool:
    return outcome.outcome in ("succeeded", "already")


async def _create(
    args: argparse.Namespace,
    client: Any,
    todo: dict[int, NewLesson],
    *,
    memory: _Memory,
    live: list[BatchReport[Any]],
) -> tuple[BatchReport[Any], bool]:
    """Create the lessons to do; the report, and whether plain progress lines were shown."""
    bar, on_progress = progress_options(args, live)
    batcher = Batcher(
        client,
        concurrency=args.concurrency,
        max_attempts=args.max_attempts,
        on_progress=on_progress,
        probe_first=True,
    )
    distinct = list({lesson.key: lesson for lesson in todo.values()}.values())
    keys = {lesson.key for lesson in distinct}
    # Unknown before: sent again as possibly applied (a later 398 is then "succeeded").
    skip = {k: r for k, r in memory.finished().items() if r.outcome == "unknown" and k in keys}
    items: Sequence[NewLesson | NewClassroom] = (
        _classrooms(args, distinct) if args.classrooms else distinct
    )
    report: BatchReport[Any] = await getattr(batcher, _verb(args))(
        args.course,
        items,
        progress=bar,
        skip=skip,
        on_items=memory.record if memory.journal is not None else None,
        # Committed as possibly applied before each call: a kill never turns this run's
        # own work into "already" on the next one.
        on_sending=memory.journal.sending if memory.journal is not None else None,
        on_start=live.append,
    )
    return report, on_progress is not None


def _outcomes_of(report: BatchReport[Any], outcomes: dict[str, _Outcome]) -> None:
    """Add the report's outcomes (items with none yet are left out)."""
    for key, item in report.items.items():
        if item.errno:
            outcomes[str(key)] = _Outcome(item.outcome, item.id, item.error)


def _write_ids(
    args: argparse.Namespace,
    timetable: TimetableFile,
    lessons: Mapping[int, NewLesson],
    outcomes: Mapping[str, _Outcome],
) -> None:
    """Write the timetable's rows with their class IDs, atomically (all or nothing)."""
    path: Path | None = args.ids
    if path is None:
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    made = "activity_id" if args.classrooms else "class_id"
    writer.writerow([*timetable.header, made, "unique_identity", "outcome"])
    width = len(timetable.header)
    for row in timetable.rows:
        key = lessons[row.line].key
        found = outcomes.get(key)
        cells = list(row.texts[:width]) + [""] * (width - len(row.texts))
        class_id = "" if found is None or found.class_id is None else str(found.class_id)
        writer.writerow([*cells, class_id, key, "not sent" if found is None else found.outcome])
    temporary = path.with_name(path.name + ".tmp")
    try:
        temporary.write_text(buffer.getvalue(), encoding="utf-8-sig")
        temporary.replace(path)
    except OSError as exc:
        message = f"cannot write --ids {path}: {exc.strerror or exc}"
        raise _Usage(message) from None
    done = sum(1 for o in outcomes.values() if o.class_id is not None)
    what = "activity IDs of {} classrooms" if args.classrooms else "class IDs of {} lessons"
    print(f"{what.format(done)} written to {path}")


COMMANDS = (
    Command(
        "schedule",
        "Create the lessons (or LMS classrooms) of a timetable; safe to run again.",
        _options,
        _schedule,
        """  eeo-async schedule --course 176465 --timetable term.xlsx --timezone Asia/Shanghai \\
      --ids lesson-ids.csv --journal term.db
  (term.xlsx: a header naming name, date, start, end, teacher_uid, and optionally
   assistant_uids, seat_num, record, live, replay; one lesson a row. Running it again,
   or after a stop, creates nothing twice and completes lesson-ids.csv)""",
    ),
)
