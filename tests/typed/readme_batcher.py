"""The README's bulk job and onboarding, verbatim: ``make types`` checks them (never run)."""

from __future__ import annotations

import eeo_async as eeo


async def bulk_job(students: list[int], lessons: list[int]) -> None:
    """The "Bulk jobs with the Batcher" snippet."""
    async with eeo.Client(sid=1234567, secret="...") as client:
        batcher = eeo.Batcher(client, concurrency=8, max_attempts=5,
                              initial_backoff=0.5, max_backoff=30.0)
        report = await batcher.enroll(course_id=176465, student_uids=students, class_ids=lessons,
                                      progress=True)
        print(report.summary())
        report.to_json()                       # or to_csv(path), to_records(), to_dataframe()
        again = await batcher.enroll_pairs(176465, report.rerun_keys,    # what a re-run settles
                                           skip=report.items_with("unknown"))
        report.fix_keys                        # {(student_uid, class_id): errno} to fix first
    assert again.total >= 0


async def onboarding(
    client: eeo.Client,
    batcher: eeo.Batcher,
    digest: str,
    course_id: int,
    lessons: list[int],
    groups: list[list[eeo.GroupMember]],
) -> None:
    """The "whole onboarding" snippet."""
    users = [eeo.NewUser(telephone="15800000001", md5_password=digest, nickname="Ann",
                         add_to_school="student")]             # one per account
    registered = await batcher.register(users)                 # keyed by telephone or email
    uids = [item.uid for item in registered.items.values() if item.uid is not None]  # 135/461 too
    await batcher.add_students_to_course(course_id, uids)      # 30 a call; 163/164 already
    await batcher.enroll(course_id, uids, lessons)             # by student or by lesson
    await client.add_course_group(course_id, "Teams", groups)
    await batcher.unenroll(course_id, uids[:10], lessons[:2])  # removal counterpart of enroll
    await batcher.remove_students_from_course(course_id, uids[:10])
