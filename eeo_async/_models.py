"""Values the SDK takes and returns: per-item statuses, group members, group results."""

from __future__ import annotations

import attrs

from ._codes import Errno

#: Errnos meaning "already in the target state": counted as success when adding (166)
#: or removing (167).
ALREADY: frozenset[int] = frozenset({Errno.ALREADY_IN_LESSON, Errno.NOT_IN_LESSON})


@attrs.frozen
class ItemStatus:
    """The server's answer for one item of a call (one lesson, or one student).

    ``ok`` is true when the item is in the state asked for: newly done (errno 1) or
    already so (166 "already in the lesson" when adding, 167 "not in the lesson" when
    removing; ``already`` tells those apart).
    """

    errno: int
    error: str

    @property
    def ok(self) -> bool:
        """True when the item reached the target state (errno 1, 166 or 167)."""
        return self.errno == Errno.OK or self.errno in ALREADY

    @property
    def already(self) -> bool:
        """True when the item was already in the target state before the call."""
        return self.errno in ALREADY


@attrs.frozen
class GroupMember:
    """One student of a course group; exactly one member of each group is the leader."""

    student_uid: int
    is_leader: bool = False


@attrs.frozen(kw_only=True)
class GroupResult:
    """The answer to ``add_course_group``.

    Attributes:
        group_id: the id of the new group plan.
        errno: 1, or 898 when the plan was created but some student UIDs were wrong.
        error: the server's message.
        attempts: HTTP attempts made; creating a group is retried only when the
            server cannot have acted (connection refused, errno 114, HTTP 429).
    """

    group_id: int
    errno: int = Errno.OK
    error: str = ""
    attempts: int = 1

    @property
    def partial(self) -> bool:
        """True for errno 898: created, but some of the students' UIDs were incorrect."""
        return self.errno == Errno.GROUP_PARTIAL
