"""A user's script as the README shows it: ``make types`` checks it with mypy --strict.

It is never run by the tests (it would need a server); it is type-checked, so the README's
examples keep passing ``mypy --strict``.
"""

from __future__ import annotations

import eeo_async as eeo


async def onboard(sid: int, secret: str, course: int, lessons: list[int]) -> list[int]:
    """Register accounts, enrol them, re-run what was not done, and return their UIDs."""
    async with eeo.Client(sid, secret) as client:
        batcher = eeo.Batcher(client, concurrency=16)
        users = [eeo.NewUser(telephone=f"1380000{n:04d}", md5_password="0" * 32) for n in range(3)]
        registered = await batcher.register(users)
        uids = [item.uid for item in registered.items.values() if item.uid is not None]
        await batcher.add_students_to_course(course, uids)
        report = await batcher.enroll(course, uids, lessons)
        if not report.ok:
            keys: list[tuple[int, int]] = report.rerun_keys
            again = await batcher.enroll_pairs(course, keys, skip=report.items_with("unknown"))
            to_fix: dict[tuple[int, int], int] = report.fix_keys
            steps = {eeo.next_step(errno) for errno in to_fix.values()}
            assert all(isinstance(step, str) for step in steps)
            assert report.not_sent + report.failed <= len(report.failed_keys)
            assert isinstance(report.stop_reason, str | None)
            again.raise_for_failures()
        first = report.items[(uids[0], lessons[0])]
        outcome: eeo.Outcome = first.outcome
        assert outcome in ("succeeded", "already", "failed", "unknown")
        statuses = await client.add_course_class_student(course, uids[0], lessons[:100])
        assert all(isinstance(s.ok, bool) for s in statuses)
        quick = client.with_options(timeout=2.0, max_attempts=1)
        envelope = await quick.call("getCourseList", {"courseId": course})
        assert isinstance(envelope.ok, bool)
        removal = await batcher.remove_students_from_lesson(course, lessons[0], uids[:1])
        by_uid: eeo.ItemResult = removal.items[uids[0]]
        # Keys with digit strings work, as the README says, and type-check too.
        by_text: eeo.ItemResult = report.items[(str(uids[0]), str(lessons[0]))]
        maybe: eeo.ItemResult | None = removal.items.get(str(uids[0]))
        assert by_text.outcome == outcome
        assert maybe is None or maybe.attempts >= 0
        jsonable = [eeo.to_jsonable(statuses), first.to_dict(), report.to_dict(items=True)]
        assert jsonable
        bounded = client.with_options(deadline=5.0)
        assert bounded.deadline == 5.0
        assert by_uid.attempts >= 0
        meaning: str = by_uid.meaning
        summary: str = report.summary(width=100)
        brief: str = report.summary(brief=True)
        warnings: dict[int, int] = report.warnings
        assert brief
        assert isinstance(warnings, dict)
        by_errno: dict[int, int] = report.not_done_by_errno()
        assert meaning
        assert summary
        assert isinstance(by_errno, dict)
        return uids
