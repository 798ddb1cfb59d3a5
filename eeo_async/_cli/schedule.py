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
import csv
import datetime as dt
import functools
import io
import os
import sqlite3
import time
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from .._api import lesson_rules as rules
from .._api.classrooms import NewClassroom
from .._api.client import Client
from .._api.lesson_items import NewLesson
from .._batch.formats import escape_cell
from .._batch.job import OnItems
from .._batch.plan import Plan, plan
from .._batch.report import BatchReport, Key
from .._errors import EEOError
from .._models import ItemResult
from .base import (
    EXIT_FAILED,
    EXIT_OK,
    Command,
    _check_output,
    _credential_options,
    _err,
    _file_options,
    _id,
    _Usage,
    _warn,
    job_options,
)
from .cells import InputFileError
from .ending import write_output
from .files import FILES
from .journal import Journal
from .running import Batch, run_batch, run_job
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
    _file_options(sub)
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
        help="write each row of the timetable as CSV with its class ID (with --classrooms: "
        "activity ID), unique identity and outcome",
    )
    job_options(
        sub,
        per_call="; lessons go 30 a call, classrooms one a call",
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
    if args.classrooms:
        dropped = [
            name
            for name in ("record", "live", "replay")
            if any(getattr(lesson, name) is not None for lesson in lessons.values())
        ]
        if dropped:
            _warn(
                f"{timetable.path}: the column(s) {', '.join(dropped)} are not sent with "
                "--classrooms (createClassroom has no such settings): set them in eeo.cn"
            )
    return timetable, lessons, zone


def _distinct(lessons: Iterable[NewLesson]) -> list[NewLesson]:
    """The lessons, each identity once."""
    return list({lesson.key: lesson for lesson in lessons}.values())


def _job(args: argparse.Namespace, distinct: list[NewLesson]) -> tuple[str, dict[str, Any]]:
    """The Batcher verb and arguments: lessons 30 a call, or classrooms one a call."""
    if args.classrooms:
        return _verb(args), {"course_id": args.course, "classrooms": _classrooms(args, distinct)}
    return _verb(args), {"course_id": args.course, "lessons": distinct}


def _plan(args: argparse.Namespace, distinct: list[NewLesson]) -> Plan:
    """What the job would send."""
    return plan(*_job(args, distinct), 30)


def _earlier_report(
    args: argparse.Namespace,
    distinct: list[NewLesson],
    earlier: Mapping[str, ItemResult],
    known: Mapping[str, int],
) -> BatchReport[Any]:
    """The report of a run with nothing to send: each lesson as an earlier run left it.

    Built here, not planned: a lesson done before may have begun since, which a plan
    refuses.
    """
    report: BatchReport[Any] = BatchReport(
        operation=_verb(args),
        course_id=args.course,
        key_fields=("unique_identity",),
        item_ids=[lesson.key for lesson in distinct],
        action="createClassroom" if args.classrooms else "addCourseClassMultiple",
        answer="activity_id" if args.classrooms else "class_id",
    )
    for key, result in earlier.items():
        row = report.row_of(key)
        report.record(row, result.errno, result.error, result.attempts, result.outcome)
        if key in known:
            report.set_uid(row, known[key])
    return report


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
        distinct = _distinct(lessons.values())
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
    return run_job(_run(args, timetable, lessons))


async def _run(
    args: argparse.Namespace, timetable: TimetableFile, lessons: dict[int, NewLesson]
) -> int:
    outcomes: dict[str, _Outcome] = {}  # by identity: done before, then this run's

    async def create(batch: Batch) -> BatchReport[Any]:
        distinct = _distinct(lessons.values())
        keys = {lesson.key for lesson in distinct}
        ids = _ClassIds(batch.journal.path) if batch.journal is not None else None
        try:
            known = ids.all() if ids is not None else {}
            # A row since left out of the timetable is not this run's.
            finished = batch.skip(None, pairs=False) or {}
            earlier = {str(k): r for k, r in finished.items() if str(k) in keys}
            for key, result in earlier.items():
                if result.ok:
                    outcomes[key] = _Outcome(result.outcome, known.get(key))
            todo = _distinct(x for x in lessons.values() if x.key not in outcomes)
            # Done before: not checked against the clock again (they may have begun since).
            _check_begins(timetable, {n: x for n, x in lessons.items() if x.key not in outcomes})
            if not todo:
                print(
                    f"all {len(outcomes)} lessons were created by an earlier run; nothing was sent"
                )
                return _earlier_report(args, distinct, earlier, known)
            # Unknown before: sent again as possibly applied (a later 398 is then "succeeded").
            unsure = {k: r for k, r in earlier.items() if k not in outcomes}
            on_items = None
            if ids is not None and batch.journal is not None:
                on_items = _ids_first(ids, batch.journal)
            verb, arguments = _job(args, todo)
            return await batch.send(verb, **arguments, skip=unsure, on_items=on_items)
        finally:
            if ids is not None:
                ids.close()

    ran = await run_batch(args, create, identity=functools.partial(_identity, args))
    for key, item in ran.report.items.items():
        if item.errno and str(key) not in outcomes:  # items with no outcome yet are left out
            outcomes[str(key)] = _Outcome(item.outcome, item.id, item.error)
    _write_ids(args, timetable, lessons, outcomes)
    code = ran.finish(args, {"course_id": f"--course {args.course}"})
    missing = sum(1 for o in outcomes.values() if _done(o) and o.class_id is None)
    if missing:
        _err(
            f"note: {missing} lessons exist but the server did not give their class IDs "
            "(errno 398 without the ID): find them in eeo.cn by name and time"
        )
    return code if code != EXIT_OK or all(map(_done, outcomes.values())) else EXIT_FAILED


def _identity(args: argparse.Namespace, client: Client) -> dict[str, Any]:
    """The job's identity in its journal (another job's journal is refused)."""
    return {
        "school": client.sid,
        "base_url": client.base_url,
        "operation": _verb(args),
        "unit": args.unit,
        "course": args.course,
        "target": {},
        # Lessons are known by their identities: a timetable edited between runs is the
        # same job, its new rows new lessons.
        "inputs": "by unique identity",
    }


def _ids_first(ids: _ClassIds, journal: Journal) -> OnItems:
    """Record outcomes with their class IDs first: a recorded outcome never lacks its ID."""

    def record(results: Sequence[tuple[Key, ItemResult]]) -> None:
        ids.record(results)
        journal.record(results)

    return record


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
    head = (*timetable.header, made, "unique_identity", "outcome")
    writer.writerow([escape_cell(text) for text in head])
    width = len(timetable.header)
    for row in timetable.rows:
        key = lessons[row.line].key
        found = outcomes.get(key)
        cells = list(row.texts[:width]) + [""] * (width - len(row.texts))
        class_id = "" if found is None or found.class_id is None else str(found.class_id)
        outcome = "not sent" if found is None else found.outcome
        writer.writerow([escape_cell(text) for text in (*cells, class_id, key, outcome)])
    if not write_output(path, "--ids", buffer.getvalue(), encoding="utf-8-sig"):
        return
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
