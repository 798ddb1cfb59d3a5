"""`eeo-async schedule`: a timetable into lessons, its --ids file, re-runs and kills."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eeo_async import _cli
from eeo_async._cli import schedule as schedule_module
from eeo_async.testing import Faults, Sandbox

SECRET = "schedule-s3cret-not-shown"
ROOT = Path(__file__).resolve().parent.parent
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


class ThreadSandbox:
    """A Sandbox served from its own event loop in a thread, for in-process command runs."""

    def __init__(self, **kwargs: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.sandbox = Sandbox(secret=SECRET, **kwargs)
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> Sandbox:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.sandbox.start(), self.loop).result(10)
        return self.sandbox

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.sandbox.close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def environ(sandbox: Sandbox) -> dict[str, str]:
    return {"EEO_SID": str(sandbox.sid), "EEO_SECRET": SECRET, "EEO_BASE_URL": sandbox.base_url}


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    with ThreadSandbox() as sb:
        for key, value in environ(sb).items():
            monkeypatch.setenv(key, value)
        yield sb


def days_ahead(days: int) -> dt.date:
    return (dt.datetime.now(SHANGHAI) + dt.timedelta(days=days)).date()


def timetable(path: Path, teacher: int, count: int, *, first: int = 3) -> Path:
    """A term as a school keeps it: Chinese headers, one lesson a week."""
    lines = ["课节名称,日期,开始时间,结束时间,老师UID,联席教师,上台人数,录课"]
    for n in range(count):
        day = days_ahead(first + 7 * n)
        lines.append(f"第{n + 1}课,{day:%Y/%m/%d},8:00,8:45,{teacher},,6,是")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(args: list[object], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = _cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert SECRET not in out + err
    return code, out, err


def read_ids(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_schedule_creates_the_lessons_and_writes_their_ids(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every row becomes a lesson at its time in the school's zone; --ids holds each ID."""
    (teacher,) = sandbox.add_teachers(1)
    course = sandbox.add_course()
    table = timetable(tmp_path / "term.csv", teacher, 35)
    ids = tmp_path / "ids.csv"
    code, out, err = run(
        ["schedule", "--course", course.course_id, "--timetable", table, "--ids", ids,
         "--timezone", "Asia/Shanghai", "--no-progress"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    rows = read_ids(ids)
    assert len(rows) == 35
    assert [r["课节名称"] for r in rows[:2]] == ["第1课", "第2课"]
    assert all(r["outcome"] == "succeeded" for r in rows)
    assert {int(r["class_id"]) for r in rows} == set(sandbox.timetable.lessons)
    first = sandbox.timetable.lessons[int(rows[0]["class_id"])]
    begin = dt.datetime.combine(days_ahead(3), dt.time(8), SHANGHAI)
    assert (first.name, first.begin, first.end - first.begin) == ("第1课", begin.timestamp(), 2700)
    assert first.settings["record"] is True
    assert sandbox.stats.requests["addCourseClassMultiple"] == 2
    assert "class IDs of 35 lessons written" in out


def test_a_second_run_creates_nothing_and_completes_ids(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same timetable again, without a journal: nothing made, each lesson already."""
    (teacher,) = sandbox.add_teachers(1)
    course = sandbox.add_course()
    table = timetable(tmp_path / "term.csv", teacher, 5)
    args = ["schedule", "--course", course.course_id, "--timetable", table, "--no-progress"]
    assert run(args, capsys)[0] == 0
    ids = tmp_path / "ids.csv"
    code, _, err = run([*args, "--ids", ids], capsys)
    assert code == 0, err
    assert len(sandbox.timetable.lessons) == 5
    assert [r["outcome"] for r in read_ids(ids)] == ["already"] * 5
    assert {int(r["class_id"]) for r in read_ids(ids)} == set(sandbox.timetable.lessons)


def test_every_bad_row_is_named_before_anything_is_sent(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad dates, times, UIDs, lengths and begins are all listed as FILE:LINE; exit 2."""
    day = days_ahead(3)
    table = tmp_path / "bad.csv"
    table.write_text(
        "name,date,start,end,teacher_uid,seat_num\n"
        f"ok,{day},8:00,9:00,1000001,6\n"
        f"bad date,{day.year}-02-30,8:00,9:00,1000001,\n"
        f"bad time,{day},25:00,26:00,1000001,\n"
        f"backwards,{day},9:00,8:00,1000001,\n"
        f"too short,{day},8:00,8:10,1000001,\n"
        f"teacher,{day},8:00,9:00,t-1,\n"
        f"seats,{day},8:00,9:00,1000001,13\n"
        "past,2020-01-06,8:00,9:00,1000001,\n"
        f",{day},8:00,9:00,1000001,\n",
        encoding="utf-8",
    )
    code, _, err = run(["schedule", "--course", 5, "--timetable", table], capsys)
    assert code == 2
    lines = [line for line in err.splitlines() if line.startswith(str(table))]
    assert [int(line.split(":")[1]) for line in lines] == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "bad date" in lines[0]
    assert "bad start time '25:00'" in lines[1]
    assert "not after the start" in lines[2]
    assert "15 minutes to 24 hours" in lines[3]
    assert "bad teacher UID 't-1'" in lines[4]
    assert "seat_num" in lines[5]
    assert "in the past" in lines[6]
    assert "no lesson name" in lines[7]
    assert not sandbox.stats.requests


def test_dry_run_needs_no_credentials_and_prints_the_zone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--dry-run plans the calls, prints the zone the times are read in, sends nothing."""
    for key in ("EEO_SID", "EEO_SECRET", "EEO_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    table = timetable(tmp_path / "term.csv", 1000001, 65)
    code, out, _ = run(
        [
            "schedule",
            "--course",
            9,
            "--timetable",
            table,
            "--dry-run",
            "--timezone",
            "Asia/Shanghai",
        ],
        capsys,
    )
    assert code == 0
    assert "times read in Asia/Shanghai" in out
    assert "65 lessons for course 9" in out
    assert "in 3 addCourseClassMultiple calls (at most 30 lessons a call)" in out
    code, out, _ = run(["schedule", "--course", 9, "--timetable", table, "--dry-run"], capsys)
    assert "the machine's time zone" in out
    code, _, err = run(
        ["schedule", "--course", 9, "--timetable", table, "--dry-run", "--timezone", "Mars/Base"],
        capsys,
    )
    assert code == 2
    assert "not a time zone name" in err


def test_a_workbook_timetable_with_dates_and_times_as_cells(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An .xlsx timetable with date and time cells, several co-teachers in one cell."""
    openpyxl = pytest.importorskip("openpyxl")
    teacher, one, two = sandbox.add_teachers(3)
    course = sandbox.add_course()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Lesson Name", "Date", "Start Time", "End Time", "teacherUid", "assistantUids"])
    day = days_ahead(4)
    sheet.append(["Algebra", dt.datetime.combine(day, dt.time()), dt.time(19, 30), dt.time(20, 15),
                  teacher, f"{one}、{two}"])  # fmt: skip
    path = tmp_path / "term.xlsx"
    book.save(path)
    code, _, err = run(
        ["schedule", "--course", course.course_id, "--timetable", path, "--timezone",
         "Asia/Shanghai", "--no-progress"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    (lesson,) = sandbox.timetable.lessons.values()
    assert lesson.begin == dt.datetime.combine(day, dt.time(19, 30), SHANGHAI).timestamp()
    assert lesson.assistants == (one, two)


def test_a_journal_skips_lessons_done_before_even_once_they_began(
    sandbox: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the journal, a re-run after the first lessons began sends nothing and is done."""
    (teacher,) = sandbox.add_teachers(1)
    course = sandbox.add_course()
    table = timetable(tmp_path / "term.csv", teacher, 3, first=1)
    ids, journal = tmp_path / "ids.csv", tmp_path / "term.db"
    args = ["schedule", "--course", course.course_id, "--timetable", table, "--ids", ids,
            "--journal", journal, "--no-progress"]  # fmt: skip
    assert run(args, capsys)[0] == 0
    real = time.time
    monkeypatch.setattr(schedule_module.time, "time", lambda: real() + 3 * 86400)
    sandbox.reset_stats()
    code, out, err = run(args, capsys)
    assert code == 0, err
    assert "created by an earlier run" in out
    assert not sandbox.stats.requests
    assert all(r["class_id"] for r in read_ids(ids))
    code, _, err = run([*args[:-5], "--no-progress"], capsys)  # without the journal
    assert code == 2
    assert "in the past" in err


def test_a_killed_schedule_run_again_creates_every_lesson_once(tmp_path: Path) -> None:
    """Killed with SIGKILL while the server holds a call, a re-run makes each lesson once."""
    with ThreadSandbox(faults=Faults(latency=0.15)) as sandbox:
        (teacher,) = sandbox.add_teachers(1)
        course = sandbox.add_course()
        table = timetable(tmp_path / "term.csv", teacher, 150)
        ids, journal = tmp_path / "ids.csv", tmp_path / "term.db"
        env = {k: v for k, v in os.environ.items() if not k.startswith("EEO_")}
        env.update(environ(sandbox))
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")
        args = [sys.executable, "-m", "eeo_async._cli", "schedule", "--course",
                str(course.course_id), "--timetable", str(table), "--ids", str(ids),
                "--journal", str(journal), "--concurrency", "1", "--no-progress"]  # fmt: skip
        process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        # Wait until two calls were made and a third is being held by the server.
        while sandbox.stats.requests["addCourseClassMultiple"] < 3 and process.poll() is None:
            assert time.monotonic() < deadline, "the job did not start in time"
            time.sleep(0.01)  # polling another process, bounded by the deadline
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
        assert len(sandbox.timetable.lessons) < 150
        sandbox.faults.latency = 0
        done = subprocess.run(
            args, env=env, capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    rows = read_ids(ids)
    assert len(sandbox.timetable.lessons) == 150
    assert set(sandbox.timetable.lesson_creations().values()) == {1}
    assert {int(r["class_id"]) for r in rows} == set(sandbox.timetable.lessons)
    # The journal recorded each call before it went out: this job's own lessons are never
    # "already" on the re-run, even the ones the server made after the kill.
    assert {r["outcome"] for r in rows} == {"succeeded"}
    assert SECRET.encode() not in journal.read_bytes()


def test_schedule_creates_lms_classrooms_in_a_unit_once(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--classrooms --unit makes each row a classroom of the unit, once, whatever the runs."""
    import eeo_async as eeo
    from eeo_async.testing import LmsState

    (teacher,) = sandbox.add_teachers(1)
    course = sandbox.add_course()

    async def unit() -> int:
        async with eeo.Client(sandbox.sid, SECRET, base_url=sandbox.base_url) as client:
            made = await client.lms.create_unit(course.course_id, "Term 1")
        assert made.unit_id is not None
        return made.unit_id

    unit_id = asyncio.run(unit())
    table = timetable(tmp_path / "term.csv", teacher, 4)
    ids = tmp_path / "ids.csv"
    args = [
        "schedule", "--course", course.course_id, "--timetable", table, "--classrooms",
        "--unit", unit_id, "--ids", ids, "--timezone", "Asia/Shanghai", "--no-progress",
    ]  # fmt: skip
    code, out, err = run(args, capsys)
    assert code == 0, err
    lms = sandbox.state(LmsState)
    rooms = lms.live_activities(course.course_id, unit_id)
    assert len(rooms) == 4
    # No v1 lesson was made: each lesson is a classroom's (a lesson of the LMS).
    assert {r.class_id for r in sandbox.timetable.lessons.values() if not r.lms} == set()
    rows = read_ids(ids)
    assert {int(r["activity_id"]) for r in rows} == {room.activity_id for room in rooms}
    assert "activity IDs of 4 classrooms written" in out
    code, _, err = run(args, capsys)  # again: nothing new
    assert code == 0, err
    assert len(lms.live_activities(course.course_id, unit_id)) == 4
    assert set(lms.created.values()) == {1}
    again = read_ids(ids)
    # The sandbox answers a repeated identity with the earlier classroom and code 1 (the
    # addCourse page's reading), which a client cannot tell from a new one: "succeeded".
    assert {r["outcome"] for r in again} <= {"succeeded", "already"}
    assert [r["activity_id"] for r in again] == [r["activity_id"] for r in rows]


def test_a_unit_without_classrooms_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--unit belongs to --classrooms: alone it is a usage error, before anything is read."""
    table = timetable(tmp_path / "term.csv", 1000001, 1)
    code, _, err = run(
        ["schedule", "--course", 1, "--timetable", table, "--unit", 5, "--dry-run"], capsys
    )
    assert code == 2
    assert "--unit is for --classrooms" in err
