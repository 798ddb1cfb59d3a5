"""The school: its labels, its settings and its sub-accounts.

addSchoolLabel, updateSchoolLabel, deleteSchoolLabel, deleteSubSchoolAccount (v1) and
editSchoolSettings (v2, ``POST /school/modifySchoolConf``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs

from .._client import BaseClient
from .._codes import Errno
from .._errors import DataMismatchError, InputError
from .._models import ActionResult
from .._wire.decode import decode_done
from .._wire.endpoint import Answer, Endpoint, Param
from .._wire.kinds import FLAG, ID, as_int, text
from .base import action, done_as

#: A label's name: 1 to 20 characters (the server would cut a longer one).
LABEL_NAME: Final = text(1, 20)


@attrs.frozen(kw_only=True)
class SchoolLabel(ActionResult):
    """The answer to ``add_school_label``: the label's ID, new or existing.

    ``ok`` on errno 1 and on 353 (a label of that name exists: ``already`` is true and
    ``label_id`` is the existing label's).

    Attributes:
        label_id: the label's ID.
    """

    label_id: int


def decode_label(endpoint: Endpoint, answer: Answer, items: Any = ()) -> SchoolLabel:
    """The answer of addSchoolLabel: ``data.labelId`` on 1 and on 353.

    Raises:
        ApiError: any other code.
        DataMismatchError: no label ID.
    """
    done = decode_done(endpoint, answer)
    data = answer.data
    label_id = as_int(data.get("labelId") if isinstance(data, Mapping) else data)
    if label_id is None:
        message = f"data should hold the labelId, got {data!r:.60}"
        raise DataMismatchError(endpoint.action, message)
    return done_as(SchoolLabel, done, label_id=label_id)


def _check_settings(values: Mapping[str, Any], count: int) -> None:
    if (
        values.get("allow_view_replay") is None
        and values.get("allow_new_student_view_replay") is None
    ):
        message = (
            "give allow_view_replay, allow_new_student_view_replay or both "
            "(the server answers 121601030 to neither)"
        )
        raise InputError(message)


#: A school label (at most 100 a school: 354). Since 2022-11-20 a repeat answers 353
#: with the existing label's ID, so adding is idempotent.
ADD_SCHOOL_LABEL: Final = Endpoint(
    action="addSchoolLabel",
    params=(Param("label_name", "labelName", LABEL_NAME),),
    idempotent=True,
    already=frozenset({Errno.LABEL_EXISTS}),
    decode=decode_label,
)

#: Rename a label. Not re-sent after an attempt that may have applied: the repeat would
#: answer 353 ("the name exists": its own), which cannot be told from another label's.
UPDATE_SCHOOL_LABEL: Final = Endpoint(
    action="updateSchoolLabel",
    params=(Param("label_id", "labelId", ID), Param("label_name", "labelName", LABEL_NAME)),
    idempotent=False,
    decode=decode_done,
)

#: Delete a label; a repeat answers 356 ("no such label"), counted as already done.
DELETE_SCHOOL_LABEL: Final = Endpoint(
    action="deleteSchoolLabel",
    params=(Param("label_id", "labelId", ID),),
    idempotent=True,
    already=frozenset({Errno.LABEL_NOT_FOUND}),
    decode=decode_done,
)

#: Delete a sub-account; a repeat answers 22101 ("no such sub-account"): already done.
DELETE_SUB_SCHOOL_ACCOUNT: Final = Endpoint(
    action="deleteSubSchoolAccount",
    params=(Param("uid", "UID", ID),),
    idempotent=True,
    already=frozenset({Errno.SUB_ACCOUNT_NOT_FOUND}),
    decode=decode_done,
)

#: The two replay settings (v2): a set-to-value; a setting not given is left as it is.
EDIT_SCHOOL_SETTINGS: Final = Endpoint(
    action="editSchoolSettings",
    generation=2,
    path="/school/modifySchoolConf",
    params=(
        Param("allow_view_replay", "allowViewReplay", FLAG, default=None),
        Param("allow_new_student_view_replay", "allowNewStudentViewReplay", FLAG, default=None),
    ),
    idempotent=True,
    check=_check_settings,
    decode=decode_done,
)


class School(BaseClient):
    """The typed methods of the school: labels, settings, sub-accounts (mixed into ``Client``)."""

    @action(ADD_SCHOOL_LABEL)
    async def add_school_label(self, label_name: str) -> SchoolLabel:
        """Create a school label, or find the one of that name (addSchoolLabel).

        Returns its ID on errno 1, and the existing label's on 353 (``already`` true),
        so it is safe to repeat and transient failures are retried.

        Raises:
            InputError: a name empty or over 20 characters (nothing is sent).
            ApiError: the call failed, e.g. 354 (the school's 100 labels are used up).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: SchoolLabel = await self.request(ADD_SCHOOL_LABEL, label_name=label_name)
        return result

    @action(UPDATE_SCHOOL_LABEL)
    async def update_school_label(self, label_id: int | str, label_name: str) -> ActionResult:
        """Rename a school label (updateSchoolLabel).

        Not re-sent after an attempt the server may have applied (a timeout, 104, 114):
        a repeat would answer 353 "the name exists" when the label already has it,
        which reads like another label taking the name. Such an error says to check;
        calling again then answers 353 if the rename went through.

        Raises:
            InputError: a bad ID or name (nothing is sent).
            ApiError: the call failed, e.g. 353 (the name is taken),
                ``NotFoundError`` for 355/356.
            TransportError: no usable answer; the label may have been renamed.
            ProtocolError: the answer was not the documented JSON.
        """
        result: ActionResult = await self.request(
            UPDATE_SCHOOL_LABEL, label_id=label_id, label_name=label_name
        )
        return result

    @action(DELETE_SCHOOL_LABEL)
    async def delete_school_label(self, label_id: int | str) -> ActionResult:
        """Delete a school label (deleteSchoolLabel).

        ``ok`` on errno 1 and on 356 (no such label: ``already`` is true; after a retry
        the earlier attempt may have deleted it), so transient failures are retried.

        Raises:
            InputError: a bad ID (nothing is sent).
            ApiError: the call failed, e.g. ``NotFoundError`` for 355 (another school's).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self.request(DELETE_SCHOOL_LABEL, label_id=label_id)
        return result

    @action(DELETE_SUB_SCHOOL_ACCOUNT)
    async def delete_sub_school_account(self, uid: int | str) -> ActionResult:
        """Delete a sub-account of the school, by its UID (deleteSubSchoolAccount).

        ``ok`` on errno 1 and on 22101 (no such sub-account: ``already`` is true), so
        transient failures are retried.

        Raises:
            InputError: a bad UID (nothing is sent).
            ApiError: the call failed.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self.request(DELETE_SUB_SCHOOL_ACCOUNT, uid=uid)
        return result

    @action(EDIT_SCHOOL_SETTINGS)
    async def edit_school_settings(
        self,
        *,
        allow_view_replay: bool | None = None,
        allow_new_student_view_replay: bool | None = None,
    ) -> ActionResult:
        """Set the school's replay settings (editSchoolSettings, API v2).

        (``POST /school/modifySchoolConf``.) ``allow_view_replay``: students and
        teachers may watch a lesson's replay after it; ``allow_new_student_view_replay``:
        students who join a course later may watch its earlier lessons' replays. A
        setting left ``None`` is not changed; give at least one. A set-to-value,
        retried on transient failures.

        Raises:
            InputError: neither setting, or not a bool (nothing is sent).
            ApiError: the call failed, e.g. ``BadParametersError`` for 101001001.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self.request(
            EDIT_SCHOOL_SETTINGS,
            allow_view_replay=allow_view_replay,
            allow_new_student_view_replay=allow_new_student_view_replay,
        )
        return result
