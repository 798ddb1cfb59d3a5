"""The three ways of running the same bulk enrolment that the benchmark compares."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from typing import Any

import aiohttp
import requests

import eeo_async as eeo

PATH = "/partner/api/course.api.php?action=addCourseClassStudent"


def _chunks(ids: list[int], size: int = 100) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _form(server: dict[str, Any], course: int, student: int, chunk: list[int]) -> dict[str, str]:
    """The signed form of one addCourseClassStudent call, built by hand."""
    stamp = int(time.time())
    return {
        "SID": str(server["sid"]),
        "safeKey": hashlib.md5(f"{server['secret']}{stamp}".encode()).hexdigest(),
        "timeStamp": str(stamp),
        "courseId": str(course),
        "studentUid": str(student),
        "classJson": json.dumps(chunk),
    }


async def sdk(
    server: dict[str, Any], course: int, lessons: list[int], students: list[int], concurrency: int
) -> int:
    """The SDK: eeo_async.Batcher.enroll. Returns the calls made."""
    async with eeo.Client(server["sid"], server["secret"], base_url=server["base_url"]) as client:
        batcher = eeo.Batcher(client, concurrency=concurrency)
        report = await batcher.enroll(course, students, lessons)
    if report.failed:
        raise RuntimeError(report.summary())
    return report.calls


async def floor(
    server: dict[str, Any], course: int, lessons: list[int], students: list[int], concurrency: int
) -> int:
    """The floor: sign, chunk to 100, post with a semaphore, parse JSON; nothing else."""
    url = server["base_url"] + PATH
    semaphore = asyncio.Semaphore(concurrency)
    calls = 0

    async def one(session: aiohttp.ClientSession, student: int, chunk: list[int]) -> None:
        nonlocal calls
        async with semaphore:
            async with session.post(url, data=_form(server, course, student, chunk)) as response:
                doc = await response.json(content_type=None)
            calls += 1
            assert doc["error_info"]["errno"] == 1

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session, asyncio.TaskGroup() as group:
        for student in students:
            for chunk in _chunks(lessons):
                group.create_task(one(session, student, chunk))
    return calls


def sequential(server: dict[str, Any], course: int, lessons: list[int], students: list[int]) -> int:
    """The sequential way of the existing SDKs: requests, one call after another."""
    url = server["base_url"] + PATH
    calls = 0
    with requests.Session() as session:
        for student in students:
            for chunk in _chunks(lessons):
                doc = session.post(
                    url, data=_form(server, course, student, chunk), timeout=30
                ).json()
                assert doc["error_info"]["errno"] == 1
                calls += 1
    return calls
