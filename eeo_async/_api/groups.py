"""Groups: the group plan of a course, and the class nicknames of its IM group.

addCourseGroup, editCourseGroup and delCourseGroup: each group has exactly one leader
and no student is in two groups; a course has one plan. modifyGroupMemberNickname sets
the members' class nicknames to their school names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

from .._client import BaseClient
from .._codes import Errno
from .._constants import MAX_GROUP_NAME_CHARS
from .._errors import DataMismatchError, InputError, InputTypeError
from .._models import ActionResult, GroupMember, GroupResult
from .._wire.decode import accepted, decode_done
from .._wire.endpoint import Answer, Endpoint, Param
from .._wire.kinds import ID, Kind, as_int, compact, validate_id
from .base import action


def validate_group_name(name: object, where: str = "group_name") -> str:
    """Return ``name`` if it is a string of 1 to 20 characters (never cut silently)."""
    if not isinstance(name, str):
        message = f"{where} must be a str, got {type(name).__name__} {name!r:.60}"
        raise InputTypeError(message)
    if not name.strip():
        message = f"{where} must not be empty, got {name!r}"
        raise InputError(message)
    if len(name) > MAX_GROUP_NAME_CHARS:
        message = (
            f"{where} must be at most {MAX_GROUP_NAME_CHARS} characters, got "
            f"{len(name)}: {name!r} (the server would cut it; shorten it yourself)"
        )
        raise InputError(message)
    return name


def validate_groups(groups: object, where: str = "groups") -> tuple[tuple[GroupMember, ...], ...]:
    """Check the group rules: groups non-empty, one leader each, no student twice.

    The docs state no limit on the number of members of a plan (a course has one plan),
    so none is imposed here.
    """
    if isinstance(groups, str | bytes) or not isinstance(groups, Iterable):
        message = f"{where} must be a list of groups, got {type(groups).__name__}"
        raise InputTypeError(message)
    result: list[tuple[GroupMember, ...]] = []
    where_seen: dict[int, str] = {}
    for g, group in enumerate(groups):
        if isinstance(group, str | bytes | GroupMember) or not isinstance(group, Iterable):
            message = f"{where}[{g}] must be a list of GroupMember, got {type(group).__name__}"
            raise InputTypeError(message)
        members: list[GroupMember] = []
        for m, member in enumerate(group):
            place = f"{where}[{g}][{m}]"
            if not isinstance(member, GroupMember):
                message = f"{place} must be a GroupMember, got {member!r:.60}"
                raise InputTypeError(message)
            if not isinstance(member.is_leader, bool):
                message = f"{place}.is_leader must be a bool, got {member.is_leader!r}"
                raise InputTypeError(message)
            uid = validate_id(member.student_uid, f"{place}.student_uid")
            if uid in where_seen:
                message = f"student {uid} is in {where_seen[uid]} and again in {place}"
                raise InputError(message)
            where_seen[uid] = place
            members.append(GroupMember(uid, is_leader=member.is_leader))
        if not members:
            message = f"{where}[{g}] is empty: every group needs at least one student"
            raise InputError(message)
        leaders = [m.student_uid for m in members if m.is_leader]
        if len(leaders) != 1:
            message = f"{where}[{g}] must have exactly one leader, has {len(leaders)}: {leaders}"
            raise InputError(message)
        result.append(tuple(members))
    if not result:
        message = f"{where} is empty: give at least one group"
        raise InputError(message)
    return tuple(result)


def _groups_text(groups: Sequence[Sequence[GroupMember]]) -> str:
    doc = [
        [{"studentUid": m.student_uid, "isLeader": int(m.is_leader)} for m in group]
        for group in groups
    ]
    return compact(doc)


#: A group plan's name, 1 to 20 characters.
GROUP_NAME: Final = Kind(check=validate_group_name)
#: A list of groups of ``GroupMember``.
GROUPS: Final = Kind(check=validate_groups, text=_groups_text)


def decode_group(endpoint: Endpoint, answer: Answer, items: Sequence[Any] = ()) -> GroupResult:
    """Decode addCourseGroup's answer: the new group id (errno 1, or the side code 898).

    Raises:
        ApiError: any other errno.
        DataMismatchError: ``data`` is not a positive group id.
    """
    errno = accepted(endpoint, answer)
    group_id = as_int(answer.data)
    if group_id is None:
        message = f"data should be the new group id, got {answer.data!r:.60}"
        raise DataMismatchError(endpoint.action, message)
    return GroupResult(group_id=group_id, errno=errno, error=answer.message)


#: The one group plan of a course: not idempotent (a second call answers 892).
ADD_COURSE_GROUP: Final = Endpoint(
    action="addCourseGroup",
    params=(
        Param("course_id", "courseId", ID),
        Param("group_name", "groupName", GROUP_NAME),
        Param("groups", "groupList", GROUPS),
    ),
    idempotent=False,
    side=frozenset({Errno.GROUP_PARTIAL}),
    decode=decode_group,
)

#: Replace a course's group plan: repeatable (editing to the same plan twice is harmless).
EDIT_COURSE_GROUP: Final = Endpoint(
    action="editCourseGroup",
    params=(
        Param("course_id", "courseId", ID),
        Param("group_id", "groupId", ID),
        Param("group_name", "groupName", GROUP_NAME),
        Param("groups", "groupList", GROUPS),
    ),
    idempotent=True,
    decode=decode_done,
)

#: Delete a course's group plan. A repeat answers 893 ("no such group"), which cannot be
#: told apart from a wrong id, so it is re-sent only where the server cannot have acted.
DEL_COURSE_GROUP: Final = Endpoint(
    action="delCourseGroup",
    params=(Param("course_id", "courseId", ID), Param("group_id", "groupId", ID)),
    idempotent=False,
    decode=decode_done,
)

#: Set every course member's class nickname to their school name: a sync, harmless to
#: repeat. 842 (partly failed) is done with a warning; 843 (wholly failed) is raised.
MODIFY_GROUP_MEMBER_NICKNAME: Final = Endpoint(
    action="modifyGroupMemberNickname",
    params=(Param("course_id", "courseId", ID),),
    idempotent=True,
    side=frozenset({Errno.NICKNAMES_PARTLY_FAILED}),
    decode=decode_done,
)


class Groups(BaseClient):
    """The typed methods of group plans (mixed into ``eeo_async.Client``)."""

    @action(ADD_COURSE_GROUP)
    async def add_course_group(
        self, course_id: int | str, group_name: str, groups: Sequence[Sequence[GroupMember]]
    ) -> GroupResult:
        """Create the group plan of a course (addCourseGroup).

        ``groups`` is a list of groups, each a list of ``GroupMember``; each group needs
        exactly one leader and no student may appear twice. Errno 898 (created, but some
        UIDs were wrong) returns a result with ``partial`` true, not an exception.

        Creating a group is not idempotent (a second call answers 892, without the
        plan's ID), so it is retried only where the server cannot have acted:
        connection refused, a request that never left, HTTP 429. After a timeout, a
        lost answer, a 5xx or errno 104 or 114 (both may come after the plan was made)
        the error is raised: check the course before trying again.

        Raises:
            InputError: bad ID, name longer than 20 characters or empty, or broken
                group rules (nothing is sent).
            ApiError: the call failed, e.g. ``GroupExistsError`` for 892.
            TransportError: no usable answer; the group may have been created.
            ProtocolError: the answer was not the documented JSON.
        """
        result: GroupResult = await self.request(
            ADD_COURSE_GROUP, course_id=course_id, group_name=group_name, groups=groups
        )
        return result

    @action(EDIT_COURSE_GROUP)
    async def edit_course_group(
        self,
        course_id: int | str,
        group_id: int | str,
        group_name: str,
        groups: Sequence[Sequence[GroupMember]],
    ) -> ActionResult:
        """Replace the group plan ``group_id`` of a course (editCourseGroup).

        The same group rules as :meth:`add_course_group`. Editing is repeatable (the
        same plan twice is the same plan), so transient failures are retried.

        Raises:
            InputError: bad ID, name or group rules (nothing is sent).
            ApiError: the call failed, e.g. ``NotFoundError`` for 893 (no such group).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self.request(
            EDIT_COURSE_GROUP,
            course_id=course_id,
            group_id=group_id,
            group_name=group_name,
            groups=groups,
        )
        return result

    @action(DEL_COURSE_GROUP)
    async def del_course_group(self, course_id: int | str, group_id: int | str) -> ActionResult:
        """Delete the group plan ``group_id`` of a course (delCourseGroup).

        Deleting answers 893 ("no such group") when repeated, the same errno as for a
        wrong id, so a retry could not tell "deleted by my lost attempt" from "never
        existed". It is therefore re-sent only where the server cannot have acted
        (connection refused, a request that never left, HTTP 429), and 893 always means
        the group did not exist when asked. After a timeout, a lost answer, a 5xx or
        errno 104 or 114 the error is raised: the group may be deleted; calling again
        then answers 893 if it is.

        Raises:
            InputError: a bad ID (nothing is sent).
            ApiError: the call failed, e.g. ``NotFoundError`` for 893.
            TransportError: no usable answer; the group may have been deleted.
            ProtocolError: the answer was not the documented JSON.
        """
        result: ActionResult = await self.request(
            DEL_COURSE_GROUP, course_id=course_id, group_id=group_id
        )
        return result

    @action(MODIFY_GROUP_MEMBER_NICKNAME)
    async def modify_group_member_nickname(self, course_id: int | str) -> ActionResult:
        """Set the class nickname of every student and auditor of a course to their school name.

        (modifyGroupMemberNickname.) The names are those of eeo.cn's student list (see
        ``edit_school_student``); they show in the course's IM group and classrooms.
        Transfer-in students of single lessons are not covered. 842 (some nicknames
        failed) is a success with a warning (``side`` true); 843 (all failed) is raised.
        A sync is harmless to repeat, so transient failures are retried.

        Raises:
            InputError: a bad ID (nothing is sent).
            ApiError: the call failed, e.g. 843, ``NotFoundError`` for 144.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self.request(MODIFY_GROUP_MEMBER_NICKNAME, course_id=course_id)
        return result
