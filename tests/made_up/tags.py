"""A made-up v2 area: tags on the students of one activity (a path the docs do not have).

A JSON row signed in headers, with per-item answers matched by the ``studentUid`` each
names: the row and its typed method are all the SDK needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import eeo_async as eeo
from eeo_async._api.base import Namespace, action
from eeo_async._wire.decode import keyed
from eeo_async._wire.kinds import ID, IDS, text

#: The made-up action's own "already tagged" code.
ALREADY_TAGGED: Final = 7101

TAG_STUDENTS: Final = eeo.Endpoint(
    action="tagStudents",
    generation=2,
    path="/lms/activity/tagStudents",
    params=(
        eeo.Param("course_id", "courseId", ID),
        eeo.Param("activity_id", "activityId", ID),
        eeo.Param("tag", "tag", text(1, 20)),
        eeo.Param("student_uids", "studentUids", IDS),
    ),
    items="student_uids",
    max_items=5,
    target="activity_id",
    idempotent=True,
    already=frozenset({ALREADY_TAGGED}),
    bulk=eeo.Bulk(key="student_uid"),
    decode=keyed("studentUid"),
)


class Tags(Namespace):
    """The area's typed methods."""

    @action(TAG_STUDENTS)
    async def tag_students(
        self, course_id: int, activity_id: int, tag: str, student_uids: Iterable[int]
    ) -> list[eeo.ItemStatus]:
        """Tag up to 5 students of an activity; 7101 means already tagged."""
        statuses: list[eeo.ItemStatus] = await self.request(
            TAG_STUDENTS,
            course_id=course_id,
            activity_id=activity_id,
            tag=tag,
            student_uids=student_uids,
        )
        return statuses
