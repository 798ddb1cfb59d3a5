"""Pushing data-subscription messages the way ClassIn does, and messages to push.

``Pusher`` posts raw JSON to a URL from one ordered queue and re-pushes a message every
``interval`` seconds until the answer is the documented success JSON, holding back every
later message (the docs: description, Datasubs_errors). ``samples`` signs the docs'
example of every documented ``Cmd`` for a school; ``lesson_end_message`` builds the
``End`` summary of a lesson from who came in. Like the sandbox, this module implements
the docs itself and does not use the SDK's receiver or signing.
"""

from __future__ import annotations

import asyncio
import collections
import copy
import functools
import json
from collections.abc import Mapping, Sequence
from importlib import resources
from types import TracebackType
from typing import Any, Self

import aiohttp

from ._wire import md5_hex, safe_key

#: Headers ClassIn sends with a push, and only these (Datasubs_errors).
_HEADERS = {"Content-Type": "application/json", "Origin": "http://www.eeo.cn"}
#: The stamp given to a sample whose example has neither ``TimeStamp`` nor ``ActionTime``.
_DEFAULT_STAMP = 1_700_000_000
#: Minutes allowed after a lesson's planned end; ``CloseTime`` includes them (publicfield).
_AFTER_END = 20 * 60
Message = Mapping[str, Any] | bytes | str


def _acked(status: int, body: bytes) -> bool:
    """The docs' success: HTTP 200 and ``error_info.errno`` the integer 1 (``error`` aside)."""
    if status != 200:
        return False
    try:
        doc = json.loads(body)
    except ValueError:
        return False
    info = doc.get("error_info") if isinstance(doc, dict) else None
    return isinstance(info, dict) and type(info.get("errno")) is int and info["errno"] == 1


class Pusher:
    """Push messages to a URL as ClassIn does: in order, re-pushing one until it is acked.

    ``push`` queues messages; one task posts them one at a time, as raw JSON with
    ClassIn's two headers. A message counts as delivered only when the answer is HTTP
    200 with ``{"error_info": {"errno": 1, ...}}`` (``errno`` the integer 1); anything
    else (another status or body, a refused connection, a timeout) is a failure, and the
    same message is pushed again after ``interval`` seconds, every later one waiting
    behind it. ``url`` may be changed between attempts (a restarted receiver).

    Use ``async with Pusher(url, interval=0.05) as pusher:``, then ``pusher.push(...)``
    and ``await pusher.join()``.

    Args:
        url: where to POST.
        interval: seconds between pushes of a failing message (ClassIn: 10).
        timeout: seconds one attempt may take.

    Attributes:
        acked: the messages acked, in order, as given to ``push``.
        attempts: every POST tried.
        failures: attempts that were not acked.
        last_failure: why the last failed attempt failed, in words.
    """

    def __init__(self, url: str, *, interval: float = 10.0, timeout: float = 30.0) -> None:
        self.url = url
        self.interval = interval
        self.timeout = timeout
        self.acked: list[Message] = []
        self.attempts = 0
        self.failures = 0
        self.last_failure = ""
        self._queue: collections.deque[tuple[Message, bytes]] = collections.deque()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:
        return f"<eeo_async.testing.Pusher {self.url} queued={len(self._queue)}>"

    @property
    def pending(self) -> int:
        """Messages not acked yet, the one being pushed included."""
        return len(self._queue)

    async def start(self) -> None:
        """Start the pushing task (``async with`` does)."""
        if self._task is None:
            self._session = aiohttp.ClientSession()
            self._task = asyncio.create_task(self._run(), name="eeo-async-pusher")

    async def close(self) -> None:
        """Stop pushing (what is not acked stays in the queue) and close the session."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def push(self, *messages: Message) -> None:
        """Queue messages (JSON objects, or bodies as bytes or text) behind the others."""
        for message in messages:
            if isinstance(message, Mapping):
                body = json.dumps(message, ensure_ascii=False).encode()
            else:
                body = message.encode() if isinstance(message, str) else bytes(message)
            self._queue.append((message, body))
        if messages:
            self._idle.clear()
            self._wake.set()

    async def join(self) -> None:
        """Wait until every queued message is acked."""
        await self._idle.wait()

    async def _run(self) -> None:
        while True:
            if not self._queue:
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                continue
            message, body = self._queue[0]
            if await self._attempt(body):
                self._queue.popleft()
                self.acked.append(message)
            else:
                await asyncio.sleep(self.interval)

    async def _attempt(self, body: bytes) -> bool:
        assert self._session is not None  # noqa: S101 - started before the task runs
        self.attempts += 1
        try:
            async with self._session.post(
                self.url,
                data=body,
                headers=_HEADERS,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                allow_redirects=False,
            ) as response:
                answer = await response.read()
                if _acked(response.status, answer):
                    return True
                self.last_failure = f"HTTP {response.status}: {answer[:200]!r}"
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            self.last_failure = f"{type(exc).__name__}: {exc}"
        self.failures += 1
        return False


# -------------------------------------------------------------------- samples


@functools.cache
def _examples() -> dict[str, dict[str, Any]]:
    folder = resources.files(__package__ or "eeo_async.testing").joinpath("datasub_samples")
    found = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".json"):
            found[entry.name.removesuffix(".json")] = json.loads(entry.read_text("utf-8"))
    return dict(sorted(found.items()))


def _sign(doc: dict[str, Any], sid: int, secret: str, time_stamp: int) -> dict[str, Any]:
    doc["SID"] = sid
    doc["TimeStamp"] = time_stamp
    doc["SafeKey"] = safe_key(secret, str(time_stamp))  # md5(SECRET + TimeStamp), as v1's
    return doc


def samples(sid: int, secret: str, *, time_stamp: int | None = None) -> dict[str, dict[str, Any]]:
    """Signed samples of every documented ``Cmd``, from the docs' examples.

    One message per example (the key is the ``Cmd``, with a suffix where there are
    several: ``"Rating-T2S"``, ``"67375105-hands-up"``,
    ``"ClientPlaybackDataDetail-2024-08"``), with ``SID`` set to ``sid`` and signed with
    ``SafeKey = md5(secret + TimeStamp)``. The ``TimeStamp`` is the example's, or its
    ``ActionTime`` + 600 (the docs' own examples are stamped ten minutes late), unless
    ``time_stamp`` is given. ``_id`` is the example's and absent where the example has
    none, as in the docs. Each call returns fresh copies. Where an example had to be
    corrected, ``datasub_samples/README.md`` in this package says how.

    Args:
        sid: the school ID to put in every message.
        secret: the school's secret to sign with.
        time_stamp: one ``TimeStamp`` for all, instead of each example's.

    Returns:
        Sample name -> message (a JSON object), in name order.
    """
    signed = {}
    for name, example in _examples().items():
        doc = copy.deepcopy(example)
        stamp = time_stamp or doc.get("TimeStamp")
        if not isinstance(stamp, int):
            action = doc.get("ActionTime")
            stamp = action + 600 if isinstance(action, int) else _DEFAULT_STAMP
        signed[name] = _sign(doc, sid, secret, stamp)
    return signed


# --------------------------------------------------------------- lesson's end

Stay = tuple[int, int | None]
Member = int | tuple[int, Sequence[Stay]]


def _details(stays: Sequence[Stay], device: int) -> tuple[list[dict[str, Any]], int]:
    rows: list[dict[str, Any]] = []
    total = 0
    for entered, left in sorted(stays, key=lambda stay: stay[0]):
        if left is not None and left < entered:
            message = f"a stay cannot end before it starts: {(entered, left)}"
            raise ValueError(message)
        rows.append({"Type": "In", "Device": device, "Time": entered})
        if left is not None:
            rows.append({"Type": "Out", "Time": left})
            total += left - entered
    return rows, total


def lesson_end_message(
    *,
    sid: int,
    secret: str,
    course_id: int,
    class_id: int,
    members: Mapping[int, Member],
    start_time: int,
    end_time: int,
    real_close_time: int | None = None,
    device: int = 0,
    message_id: str | None = None,
    time_stamp: int | None = None,
) -> dict[str, Any]:
    """The signed ``End`` message of a lesson, built from who came in.

    ``inoutEnd`` gets one entry per member (Total, Details with In/Out, Device,
    Identity), ``stageEnd`` and ``equipmentsEnd`` one each as the docs' example shows,
    ``CloseTime`` is ``end_time`` plus the 20 minutes allowed after it, and the message
    is stamped ten minutes after it was made, like the docs' examples. Nobody is listed
    who never came in, as in production; a lesson nobody entered has no ``End`` at all.

    Args:
        sid: the school ID.
        secret: the school's secret to sign with.
        course_id: the course (``CourseID``).
        class_id: the lesson (``ClassID``).
        members: UID -> identity (1 student, 3 teacher, ...; present from ``start_time``
            to ``end_time``), or UID -> (identity, [(in, out), ...]) with their stays
            (``out`` None: never seen leaving).
        start_time: the planned start, Unix seconds.
        end_time: the planned end, Unix seconds.
        real_close_time: when the teacher closed the lesson (omitted when None).
        device: the device code every member came in with (0 PC).
        message_id: the ``_id``; by default derived from (sid, class_id), so the same
            lesson always gives the same ``_id``.
        time_stamp: the ``TimeStamp``; by default ``CloseTime`` + 600.

    Returns:
        The message, a JSON object ready to push.

    Raises:
        ValueError: a stay ends before it starts, or the lesson before it begins.
    """
    if end_time < start_time:
        message = f"end_time {end_time} is before start_time {start_time}"
        raise ValueError(message)
    close_time = end_time + _AFTER_END
    inout: dict[str, Any] = {}
    stage: dict[str, Any] = {}
    equipment: dict[str, Any] = {}
    for uid, member in sorted(members.items()):
        identity, stays = (member, [(start_time, end_time)]) if isinstance(member, int) else member
        details, total = _details(stays, device)
        inout[str(uid)] = {"Total": total, "Details": details, "Identity": identity}
        stage[str(uid)] = {"DownCount": 0, "DownTotal": 0, "UpCount": 1, "UpTotal": total}
        equipment[str(uid)] = {
            "Microphone": {"Total": total, "TotalNotDisabled": total},
            "Camera": {"Total": total, "TotalNotDisabled": total},
        }
    doc: dict[str, Any] = {
        "ClassID": class_id,
        "CourseID": course_id,
        "Cmd": "End",
        "StartTime": start_time,
        "CloseTime": close_time,
        "ActionTime": close_time,
        "_id": message_id or md5_hex(f"End|{sid}|{class_id}")[:24],
        "Data": {
            "stageEnd": stage,
            "handsupEnd": {},
            "awardEnd": {},
            "inoutEnd": inout,
            "equipmentsEnd": equipment,
        },
    }
    if real_close_time is not None:
        doc["RealCloseTime"] = real_close_time
    return _sign(doc, sid, secret, time_stamp or close_time + 600)
