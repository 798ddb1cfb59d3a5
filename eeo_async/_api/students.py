"""Students in their lessons and classes: teachers' comments and class nicknames.

updateClassStudentComment (v1, per-student results) and modifyCourseStudentNickName
(v2, up to 100 UIDs, per-student results keyed by ``studentUid``). Both are harmless to
repeat: a comment is overwritten, a nickname synced again.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Final

import attrs

from .._client import BaseClient
from .._codes import TRANSIENT_ITEM, Errno
from .._errors import InputTypeError
from .._models import ItemStatus
from .._wire.decode import keyed
from .._wire.endpoint import Bulk, Endpoint, Param
from .._wire.kinds import (
    ID,
    IDS,
    ItemsKind,
    check_custom_column,
    compact,
    integer,
    text,
    validate_id,
)
from .base import action

#: A comment is "under 1000 characters" (cut at 1000 by the server).
MAX_COMMENT_CHARS: Final = 1000
_STARS: Final = integer(0, 5)
_COMMENT: Final = text(0, MAX_COMMENT_CHARS)


def _uid(value: object) -> int:
    return validate_id(value, "student_uid")


def _stars(value: object) -> int:
    checked: int = _STARS.check(value, "star_num")
    return checked


def _comment(value: object) -> str:
    checked: str = _COMMENT.check(value, "comment")
    return checked


@attrs.frozen
class StudentComment:
    """A teacher's rating and comment of one student in a lesson (updateClassStudentComment).

    Attributes:
        student_uid: the student's UID; the report's key.
        star_num: the rating, 0 to 5 stars (the server would clamp other numbers).
        comment: the comment, at most 1000 characters (never cut silently); may be empty.
        custom_column: your own tag (1 to 50 characters), returned with the item's answer.

    Raises:
        InputError: a value out of the docs' bounds.
    """

    student_uid: int = attrs.field(converter=_uid)
    star_num: int = attrs.field(converter=_stars)
    comment: str = attrs.field(default="", converter=_comment)
    custom_column: str | None = attrs.field(
        default=None, kw_only=True, converter=check_custom_column
    )

    def to_wire(self) -> dict[str, object]:
        """The entry of ``commentJson`` (UID as a string, as in the docs' sample)."""
        doc: dict[str, object] = {
            "studentUid": str(self.student_uid),
            "starNum": self.star_num,
            "comment": self.comment,
        }
        if self.custom_column is not None:
            doc["customColumn"] = self.custom_column
        return doc


def validate_comment(value: object, where: str) -> StudentComment:
    """Return ``value`` if it is a :class:`StudentComment` (checked when it was made)."""
    if not isinstance(value, StudentComment):
        message = f"{where} must be an eeo_async.StudentComment, got {type(value).__name__}"
        raise InputTypeError(message)
    return value


def _comment_key(comment: StudentComment) -> Hashable:
    return comment.student_uid


def _comments_text(comments: Sequence[StudentComment]) -> str:
    return compact([c.to_wire() for c in comments])


#: ``commentJson``: one object per student; two comments of one student are the same item.
COMMENTS: Final = ItemsKind(
    item=validate_comment,
    text=_comments_text,
    json=lambda comments: [c.to_wire() for c in comments],
    key=_comment_key,
)

#: Ratings and comments of students in one lesson, overwritten: harmless to repeat. The
#: docs state no limit per call; 100 like the other lesson actions. Each answer entry
#: names its ``studentUid``, so results are matched to the input by it.
UPDATE_CLASS_STUDENT_COMMENT: Final = Endpoint(
    action="updateClassStudentComment",
    params=(Param("class_id", "classId", ID), Param("comments", "commentJson", COMMENTS)),
    items="comments",
    max_items=100,
    target="class_id",
    idempotent=True,
    bulk=Bulk(verb="update_student_comments", key="student_uid"),
    decode=keyed("studentUid", "errno"),
)

#: Copy students' school names to their class nicknames in every unfinished class (v2):
#: a sync, harmless to repeat; at most 100 UIDs (121601060); 101004005 per item is
#: retried.
MODIFY_COURSE_STUDENT_NICK_NAME: Final = Endpoint(
    action="modifyCourseStudentNickName",
    generation=2,
    path="/schooluser/modifyCourseStudentNickName",
    params=(Param("student_uids", "studentUids", IDS),),
    items="student_uids",
    max_items=100,
    idempotent=True,
    item_transient=TRANSIENT_ITEM | {Errno.INTERNAL_CALL_FAILED},
    bulk=Bulk(key="student_uid"),
    decode=keyed("studentUid"),
)


class Students(BaseClient):
    """The typed methods of comments and class nicknames (mixed into ``eeo_async.Client``)."""

    @action(UPDATE_CLASS_STUDENT_COMMENT)
    async def update_class_student_comment(
        self, class_id: int | str, comments: Iterable[StudentComment]
    ) -> list[ItemStatus]:
        """Set the teacher's rating and comment of up to 100 students of a lesson.

        (updateClassStudentComment.) Returns one ``ItemStatus`` per comment, in input
        order, matched by the ``studentUid`` each answer names; ``ok`` on errno 1.
        Per-student errors are statuses: 167 (not in the lesson), 228 (not a student
        of the school). An earlier comment is overwritten, so it is safe to repeat and
        transient failures are retried (104 per student too, in a ``Batcher``).

        Raises:
            InputError: not ``StudentComment`` values, none, a student twice, or more
                than 100 (nothing is sent).
            ApiError: the whole call failed, e.g. ``NotFoundError`` for 233 (no such
                lesson), 369 (a lesson type that does not support it).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        statuses: list[ItemStatus] = await self.request(
            UPDATE_CLASS_STUDENT_COMMENT, class_id=class_id, comments=comments
        )
        return statuses

    @action(MODIFY_COURSE_STUDENT_NICK_NAME)
    async def modify_course_student_nick_name(
        self, student_uids: Iterable[int | str]
    ) -> list[ItemStatus]:
        """Copy up to 100 students' school names to their class nicknames (API v2).

        (modifyCourseStudentNickName, ``POST /schooluser/modifyCourseStudentNickName``.)
        Every unfinished class of each student gets the name set in eeo.cn (see
        ``edit_school_student``). Returns one ``ItemStatus`` per UID in input order,
        matched by the ``studentUid`` each answer entry names (a UID the answer leaves
        out is ``LocalErrno.NO_ANSWER``, never done); ``ok`` on code 1. A sync is
        harmless to repeat, so transient failures are retried, 101004005 too.

        Raises:
            InputError: a bad UID, none, one twice, or more than 100 (nothing is sent).
            ApiError: the whole call failed, e.g. 121601058 (no such school).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        statuses: list[ItemStatus] = await self.request(
            MODIFY_COURSE_STUDENT_NICK_NAME, student_uids=student_uids
        )
        return statuses
