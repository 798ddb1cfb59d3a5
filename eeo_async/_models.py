"""Values the SDK takes and returns: statuses, results, outcomes, group members, envelopes."""

from __future__ import annotations

from typing import Any, Literal

import attrs

from ._codes import Errno
from ._errors import api_error

#: The final outcome of an item of a batch; see :attr:`ItemResult.outcome`.
Outcome = Literal["succeeded", "already", "failed", "unknown"]
#: Outcomes in the order of their codes in a report's outcome column (0 = none yet).
OUTCOMES: tuple[Outcome, ...] = ("succeeded", "already", "failed", "unknown")


@attrs.frozen
class ItemStatus:
    """The server's answer for one item of a call (one lesson, or one student).

    ``ok`` is true when the item is in the state asked for: newly done (errno 1) or
    already so (an errno of the action's "already" family, such as 166 "already in the
    lesson" when adding or 167 "not in the lesson" when removing: ``already`` is then
    true).
    """

    errno: int
    error: str
    already: bool = attrs.field(default=False, kw_only=True)

    @property
    def ok(self) -> bool:
        """True when the item reached the target state (errno 1, or already so)."""
        return self.errno == Errno.OK or self.already


def _default_outcome(result: ItemResult) -> Outcome:
    if result.errno == Errno.OK:
        return "succeeded"
    return "already" if result.already else "failed"


@attrs.frozen
class ItemResult(ItemStatus):
    """The final outcome of one item of a batch: its status, calls and outcome.

    Attributes:
        errno: the server's errno for the item (1 = done), or a negative
            :class:`eeo_async.LocalErrno` when the server gave none.
        error: the server's message, or the SDK's explanation.
        attempts: how many calls carried this item.
        outcome: ``"succeeded"`` (in the target state; this job may have done it),
            ``"already"`` (it was so before this job: no earlier attempt could have
            applied it), ``"failed"`` (known not to be in the target state) or
            ``"unknown"`` (no success was seen, but an attempt the server may have
            applied was made: a re-run settles it).
    """

    attempts: int = 1
    outcome: Outcome = attrs.field(
        kw_only=True, default=attrs.Factory(_default_outcome, takes_self=True)
    )

    @property
    def ok(self) -> bool:
        """True when the item is known to be in the target state."""
        return self.outcome in ("succeeded", "already")


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
        errno: 1, or 898 when the plan was created but some student UIDs were wrong
            (the server does not say which).
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


@attrs.frozen(kw_only=True)
class Envelope:
    """Any action's decoded answer, from ``Client.call``: errno, message and data.

    Attributes:
        errno: ``error_info.errno`` (1 = success).
        error: ``error_info.error``, the server's message.
        data: ``data`` as parsed JSON, or ``None`` when the answer had none.
        action: the action that was called.
        attempts: HTTP attempts made.
    """

    errno: int
    error: str
    data: Any = None
    action: str = ""
    attempts: int = 1

    @property
    def ok(self) -> bool:
        """True for errno 1."""
        return self.errno == Errno.OK

    def raise_for_errno(self) -> None:
        """Raise the :class:`eeo_async.ApiError` subclass for the errno unless it is 1."""
        if not self.ok:
            raise api_error(self.errno, self.error, self.action)
