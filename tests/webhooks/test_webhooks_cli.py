"""The receive, events and attendance commands, receive as a real process killed mid-stream."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import signal
import socket
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
from webhooks_support import SECRET, SID, net, sign, until

from eeo_async import _cli
from eeo_async.testing import Pusher, lesson_end_message
from eeo_async.webhooks import Receiver, SQLiteStore

ROOT = Path(__file__).resolve().parents[2]
#: Messages pushed while receive is killed; EEO_WEBHOOKS_KILL_MESSAGES for a longer run.
KILL_MESSAGES = int(os.environ.get("EEO_WEBHOOKS_KILL_MESSAGES", "2000"))


class Receive:
    """``eeo-async receive`` in its own process, its output collected as it comes."""

    def __init__(self, process: asyncio.subprocess.Process, url: str, port: int) -> None:
        self.process = process
        self.url = url
        self.port = port
        self.out: list[str] = []
        self.err: list[str] = []
        assert process.stdout is not None
        assert process.stderr is not None
        self._drains = [
            asyncio.create_task(self._drain(process.stdout, self.out)),
            asyncio.create_task(self._drain(process.stderr, self.err)),
        ]

    @staticmethod
    async def _drain(stream: asyncio.StreamReader, into: list[str]) -> None:
        while line := await stream.readline():
            into.append(line.decode())

    @classmethod
    async def start(cls, store: Path, *extra: str, port: int = 0) -> Receive:
        env = {**os.environ, "EEO_SID": str(SID), "EEO_SECRET": SECRET}
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "eeo_async._cli", "receive", "--port", str(port),
            "--store", str(store), "--every", "0.2", *extra,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
        )  # fmt: skip
        assert process.stdout is not None
        first = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
        found = re.search(r"listening on (http://127\.0\.0\.1:(\d+)/classin)", first)
        assert found, first
        receive = cls(process, found.group(1), int(found.group(2)))
        receive.out.append(first)
        return receive

    async def stop(self, signum: int) -> int:
        """Send ``signum`` and wait for the exit code (and the rest of the output)."""
        self.process.send_signal(signum)
        code = await asyncio.wait_for(self.process.wait(), 60)
        await asyncio.gather(*self._drains)
        return code

    @property
    def text(self) -> str:
        return "".join(self.out) + "".join(self.err)


def _stored(path: Path) -> list[tuple[str, int]]:
    """(_id, rows) for each _id in a store."""
    with sqlite3.connect(path) as conn:
        sql = "SELECT message_id, count(*) FROM handled GROUP BY message_id"
        return [(row[0], row[1]) for row in conn.execute(sql)]


async def test_sigkill_while_pushing_loses_nothing_that_was_acked(tmp_path: Path) -> None:
    """receive killed with SIGKILL mid-stream, then restarted: every acked message stored once."""
    store = tmp_path / "events.db"
    messages = [net(i) for i in range(KILL_MESSAGES)]
    first = await Receive.start(store)
    async with Pusher(first.url, interval=0.05, timeout=10) as pusher:
        pusher.push(*messages)
        await until(lambda: len(pusher.acked) >= KILL_MESSAGES // 3, within=120)
        assert await first.stop(signal.SIGKILL) == -signal.SIGKILL
        acked_before_kill = len(pusher.acked)
        await until(lambda: pusher.failures >= 1)  # ClassIn's queue is blocked now
        second = await Receive.start(store, port=first.port)
        await until(lambda: pusher.pending == 0, within=300)
    assert await second.stop(signal.SIGINT) == 130
    assert acked_before_kill < KILL_MESSAGES
    rows = dict(_stored(store))
    acked_ids = [m["_id"] for m in pusher.acked]  # type: ignore[index]
    assert len(acked_ids) == KILL_MESSAGES
    assert all(rows.get(i) == 1 for i in acked_ids)  # each acked message, exactly once
    assert set(rows) == set(acked_ids)


async def test_receive_stores_every_message_and_prints_counts_without_secrets(
    tmp_path: Path, docs_samples: dict[str, Any]
) -> None:
    """receive prints a line of counts by Cmd, stores each message, never shows a SafeKey."""
    store = tmp_path / "events.db"
    receive = await Receive.start(store)
    forged = sign({"Cmd": "End", "_id": "f0"}, secret="not-the-school-s")
    async with Pusher(receive.url, interval=0.05) as pusher:
        pusher.push(*docs_samples.values())
        await until(lambda: pusher.pending == 0)
        pusher.push(forged)  # refused, so it stays queued
        await until(lambda: pusher.failures >= 1)
        await until(lambda: any(re.search(r"refused [1-9]", line) for line in receive.out))
    assert await receive.stop(signal.SIGTERM) == 0
    text = receive.text
    counted = sum(int(n) for n in re.findall(r"\bEnd (\d+)", "".join(receive.out)))
    assert counted == 1
    assert f"stopped; {len(docs_samples) - 1} messages acked and stored" in text
    assert "the SafeKey does not match" in "".join(receive.err)
    assert SECRET not in text
    for doc in [*docs_samples.values(), forged]:
        assert doc["SafeKey"] not in text
    assert sum(rows for _, rows in _stored(store)) == len(docs_samples) - 1  # no Test row


def _fill(path: Path, docs: list[dict[str, Any]]) -> None:
    async def run() -> None:
        receiver = Receiver(SID, SECRET, store=SQLiteStore(path, events=True))
        for doc in docs:
            # ASCII escapes, as a sender writes a lone surrogate; the same JSON otherwise.
            assert (await receiver.handle(json.dumps(doc).encode())).ok
        await receiver.close()

    asyncio.run(run())


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = _cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_attendance_gives_one_row_per_member_and_lesson(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """attendance --csv: course, lesson, UID, identity, first in, last out, minutes present."""
    path = tmp_path / "events.db"
    start = 1_741_334_400  # 2025-03-07 08:00 UTC
    end = lesson_end_message(
        sid=SID,
        secret=SECRET,
        course_id=176465,
        class_id=1212131,
        start_time=start,
        end_time=start + 3600,
        members={1001: 1, 1002: (1, [(start + 100, start + 700)]), 9: 3},
    )
    earlier = {**end, "_id": "0" * 24, "Data": {"inoutEnd": {}}}
    _fill(path, [earlier, net(1), end])
    code, out, _ = _run(["attendance", str(path), "--csv", "--utc"], capsys)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["uid"], r["role"], r["minutes_present"]) for r in rows] == [
        ("9", "teacher", "60.0"),
        ("1001", "student", "60.0"),
        ("1002", "student", "10.0"),
    ]
    assert rows[2] == {
        "course_id": "176465",
        "class_id": "1212131",
        "lesson_start": "2025-03-07T08:00:00+00:00",
        "uid": "1002",
        "identity": "1",
        "role": "student",
        "first_in": "2025-03-07T08:01:40+00:00",
        "last_out": "2025-03-07T08:11:40+00:00",
        "minutes_present": "10.0",
    }
    code, out, _ = _run(["attendance", str(path), "--utc"], capsys)
    assert out.splitlines()[0].split() == list(rows[0])
    assert len(out.splitlines()) == 4


def test_events_prints_stored_messages_filtered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], docs_samples: dict[str, Any]
) -> None:
    """events prints JSON lines (or CSV) of stored messages, by Cmd and time, without SafeKey."""
    path = tmp_path / "events.db"
    _fill(path, list(docs_samples.values()))
    code, out, _ = _run(["events", str(path), "--cmd", "End", "--cmd", "Net"], capsys)
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [d["Cmd"] for d in lines] == ["End", "Net", "Net"] or sorted(
        d["Cmd"] for d in lines
    ) == ["End", "Net", "Net"]
    assert all("SafeKey" not in d for d in lines)
    code, out, _ = _run(["events", str(path), "--cmd", "End", "--csv"], capsys)
    (row,) = csv.DictReader(io.StringIO(out))
    assert (row["cmd"], row["class_id"], row["course_id"]) == ("End", "25672", "116576")
    assert json.loads(row["message"])["Data"]["inoutEnd"]
    code, out, _ = _run(["events", str(path), "--since", "2999-01-01"], capsys)
    assert (code, out) == (0, "")
    code, out, _ = _run(["events", str(path), "--since", "2000-01-01T00:00:00+08:00"], capsys)
    assert len(out.splitlines()) == len(docs_samples) - 1


def test_events_csv_reads_the_class_id_of_scores_where_they_carry_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], docs_samples: dict[str, Any]
) -> None:
    """ExamScore and AnswerSheetScore carry the lesson in Data.ClassId: the CSV has it."""
    path = tmp_path / "events.db"
    exam = docs_samples["ExamScore"]
    sheet = docs_samples["AnswerSheetScore"]
    sheet = {**sheet, "Data": {**sheet["Data"], "ClassId": 5550001}}  # the sample's is 0: none
    _fill(path, [exam, sheet])
    code, out, _ = _run(["events", str(path), "--csv"], capsys)
    assert code == 0
    rows = {row["cmd"]: row for row in csv.DictReader(io.StringIO(out))}
    assert (rows["ExamScore"]["course_id"], rows["ExamScore"]["class_id"]) == (
        str(exam["CourseID"]),
        str(exam["Data"]["ClassId"]),
    )
    assert (rows["AnswerSheetScore"]["class_id"], rows["AnswerSheetScore"]["action_time"]) == (
        "5550001",
        str(sheet["ActionTime"]),
    )


def test_events_prints_lone_surrogates_as_escapes_chinese_as_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A message with a lone surrogate prints as UTF-8 JSON that reads back the same."""
    path = tmp_path / "events.db"
    odd = sign({"Cmd": "Net", "_id": "s1", "Data": {"Msg": "\ud83d", "Name": "课程"}})
    _fill(path, [odd])
    for extra in ([], ["--csv"]):
        code, out, _ = _run(["events", str(path), *extra], capsys)
        assert code == 0
        out.encode("utf-8")  # a terminal or a file can hold it
        line = next(csv.DictReader(io.StringIO(out)))["message"] if extra else out
        assert "课程" in line
        assert "\\ud83d" in line
        assert json.loads(line)["Data"] == odd["Data"]


def test_the_commands_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No secret: 3; a file that is not a store, a missing store, a busy port: 2, one line each."""
    monkeypatch.delenv("EEO_SECRET", raising=False)
    monkeypatch.setenv("EEO_SID", str(SID))
    store = tmp_path / "events.db"
    code, _, err = _run(["receive", "--port", "0", "--store", str(store)], capsys)
    assert (code, err.strip()) == (3, "error: no secret: set EEO_SECRET or pass --secret-file")
    monkeypatch.setenv("EEO_SECRET", SECRET)
    journal = tmp_path / "journal.db"
    with sqlite3.connect(journal) as conn:
        conn.execute("CREATE TABLE items (key TEXT)")
    code, _, err = _run(["receive", "--port", "0", "--store", str(journal)], capsys)
    assert code == 2
    assert "not a receiver store" in err
    code, _, err = _run(["events", str(tmp_path / "missing.db")], capsys)
    assert (code, "no such store" in err) == (2, True)
    code, _, err = _run(
        ["receive", "--port", "0", "--store", str(store), "--path", "classin"], capsys
    )
    assert code == 2
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _, err = _run(["receive", "--port", str(port), "--store", str(store)], capsys)
    assert code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in err
    assert SECRET not in err
