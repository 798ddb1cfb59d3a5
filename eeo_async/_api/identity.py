"""What every creation shares: a unique identity on every attempt, so a retry never duplicates.

addCourse, addCourseClass and each lesson of addCourseClassMultiple take a
``courseUniqueIdentity`` (1 to 32 characters) that the server checks before creating:
a repeat is answered with the earlier ID or refused with 398 (the pages disagree; both
are read as "already made"), never made twice. So a creation row is safe to repeat
(``idempotent=True``) as long as an identity is sent (its ``identity`` names the
parameter), and the typed methods always send one: the caller's, or one derived from
the item (the same item always gets the same one). Only ``unique_identity=False`` sends
none; ``Client.request`` then sends the call as not safe to repeat (``Endpoint.as_sent``):
never re-sent after an attempt that may have applied, its error saying to check first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Literal

import attrs

from .._wire.endpoint import Endpoint
from .._wire.kinds import derive_identity, validate_identity

#: What a caller gives as ``unique_identity``: its own, ``None`` (derive one) or ``False``.
GivenIdentity = str | int | Literal[False] | None


def identity_of(given: object, derive: Callable[[], str]) -> str | None:
    """The identity to send: ``given``, or ``derive()`` when ``None``; ``False`` sends none.

    Raises:
        InputError: ``given`` is not 1 to 32 characters.
    """
    if given is False:
        return None
    if given is None:
        return derive()
    return validate_identity(given, "unique_identity")


def derived(row: Endpoint, tag: str, values: Mapping[str, object], leave_out: Sequence[str]) -> str:
    """An identity derived from ``values`` as ``row`` checks them.

    IDs count as ints and times as Unix seconds; the names in ``leave_out`` and the
    values not given are left out.

    Raises:
        InputError: a bad value (named), before anything is sent.
    """
    checked = attrs.asdict(row.build(values), recurse=False)
    kept = {k: v for k, v in checked.items() if v is not None and k not in leave_out}
    return derive_identity(tag, kept)
