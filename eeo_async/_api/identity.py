"""What every creation shares: a unique identity on every attempt, so a retry never duplicates.

addCourse, addCourseClass and each lesson of addCourseClassMultiple take a
``courseUniqueIdentity`` (1 to 32 characters) that the server checks before creating:
a repeat is answered with the earlier ID or refused with 398 (the pages disagree; both
are read as "already made"), never made twice. So a creation row is safe to repeat
(``idempotent=True``) as long as an identity is sent, and the SDK always sends one: the
caller's, or one derived from the item (the same item always gets the same one). Only
``unique_identity=False`` sends none; the row is then sent as not safe to repeat, never
re-sent after an attempt that may have applied, and its error says to check first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import attrs

from .._client import BaseClient
from .._errors import ProtocolError, TransportError
from .._wire.endpoint import Endpoint
from .._wire.kinds import derive_identity, validate_identity

#: What a caller gives as ``unique_identity``: its own, ``None`` (derive one) or ``False``.
GivenIdentity = str | int | Literal[False] | None

#: The advice an error carries when a creation without an identity may have been applied.
CHECK_FIRST = (
    "sent without a unique identity, so it was not sent again: the server may have "
    "created it; check (in eeo.cn) before creating it again"
)


def without_identity(row: Endpoint) -> Endpoint:
    """``row`` as sent without a unique identity: not safe to repeat (made once, kept)."""
    found = row.cache.get("without_identity")
    if found is None:
        found = row.cache["without_identity"] = attrs.evolve(row, idempotent=False)
    assert isinstance(found, Endpoint)  # noqa: S101 - only this function fills the entry
    return found


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


async def send_creation(client: BaseClient, row: Endpoint, /, **values: Any) -> Any:
    """Send a creation ``row``; without an identity, an error says to check first.

    When the row is not safe to repeat (no identity) and may have been applied, the
    error says to check before creating again.

    Raises:
        InputError: a bad value (named), before anything is sent.
        ApiError, TransportError, ProtocolError: as ``Client.request``.
    """
    try:
        return await client.request(row, **values)
    except (TransportError, ProtocolError) as exc:
        if row.idempotent or not exc.may_have_acted:
            raise
        detail = f"{exc.detail}; {CHECK_FIRST}"
        raise type(exc)(exc.action, detail, exc.status) from exc


async def create(client: BaseClient, row: Endpoint, identity: str | None, **values: Any) -> Any:
    """Send the creation ``row`` with ``identity`` as its ``unique_identity``.

    With an identity the row is safe to repeat and retried as such; without one it is
    sent as not safe to repeat (:func:`send_creation`).
    """
    target = row if identity is not None else without_identity(row)
    return await send_creation(client, target, **values, unique_identity=identity)
