"""A made-up API area: observers of one lesson (an action the docs do not have).

Everything the SDK needs for a new batchable v1 action is here: its row (with its own
"already" code and its bulk key) and its typed method of a few lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import eeo_async as eeo
from eeo_async._api.base import Namespace, action
from eeo_async._wire.decode import decode_items
from eeo_async._wire.kinds import ID, ID_STRINGS

#: The made-up action's own "already an observer" code.
ALREADY_OBSERVING: Final = 7001

ADD_CLASS_OBSERVER_MULTIPLE: Final = eeo.Endpoint(
    action="addClassObserverMultiple",
    params=(
        eeo.Param("course_id", "courseId", ID),
        eeo.Param("class_id", "classId", ID),
        eeo.Param("observer_uids", "observerUidJson", ID_STRINGS),
    ),
    items="observer_uids",
    max_items=7,
    target="class_id",
    idempotent=True,
    already=frozenset({ALREADY_OBSERVING}),
    bulk=eeo.Bulk(key="observer_uid"),
    decode=decode_items,
)


class Observers(Namespace):
    """The area's typed methods."""

    @action(ADD_CLASS_OBSERVER_MULTIPLE)
    async def add_class_observer_multiple(
        self, course_id: int | str, class_id: int | str, observer_uids: Iterable[int | str]
    ) -> list[eeo.ItemStatus]:
        """Add up to 7 observers to one lesson; 7001 means already an observer."""
        statuses: list[eeo.ItemStatus] = await self.request(
            ADD_CLASS_OBSERVER_MULTIPLE,
            course_id=course_id,
            class_id=class_id,
            observer_uids=observer_uids,
        )
        return statuses
