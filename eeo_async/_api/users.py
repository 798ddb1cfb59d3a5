"""Users: accounts (registerMultiple).

Registering is safe to repeat: an account registered by a lost attempt answers 135/461
with its UID the second time. Passwords are never logged, shown or put in an error.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Final
from urllib.parse import quote_plus

from .._client import BaseClient
from .._codes import Errno
from .._errors import InputTypeError
from .._models import ItemStatus, NewUser
from .._wire.decode import decode_item_details
from .._wire.endpoint import Bulk, Endpoint, Param
from .._wire.kinds import ItemsKind, compact
from .base import action


def validate_user(value: object, where: str) -> NewUser:
    """Return ``value`` if it is a :class:`NewUser` (checked when it was made)."""
    if not isinstance(value, NewUser):
        # The type only: a dict here might hold a password.
        message = f"{where} must be an eeo_async.NewUser, got {type(value).__name__}"
        raise InputTypeError(message)
    return value


def _users_text(users: Sequence[NewUser]) -> str:
    return compact([u.to_wire() for u in users])


def _users_quoted(users: Sequence[NewUser]) -> str:
    return quote_plus(_users_text(users))


def _account(user: NewUser) -> Hashable:
    return user.account


#: Accounts as ``userJson``; two items are the same account when their telephone or email is.
USERS: Final = ItemsKind(
    item=validate_user,
    text=_users_text,
    quoted=_users_quoted,
    json=lambda users: [u.to_wire() for u in users],
    key=_account,
)


#: Up to 10 accounts (450 past it). Safe to repeat: an account registered by a lost
#: attempt answers 135/461 with its UID. 131 (identical requests at once) is retried
#: per item too; identical calls are sent one at a time, each for its own answer.
REGISTER_MULTIPLE: Final = Endpoint(
    action="registerMultiple",
    params=(Param("users", "userJson", USERS),),
    items="users",
    max_items=10,
    idempotent=True,
    one_at_a_time=True,
    already=frozenset({Errno.PHONE_REGISTERED, Errno.EMAIL_REGISTERED}),
    item_transient=frozenset({Errno.SERVER_BUSY, Errno.REGISTER_FAILED}),
    side=frozenset({Errno.SCHOOL_STUDENT_FAILED, Errno.SCHOOL_TEACHER_FAILED}),
    bulk=Bulk(verb="register", key="account", answer="uid"),
    decode=decode_item_details,
)


class Users(BaseClient):
    """The typed methods of users (mixed into ``eeo_async.Client``)."""

    @action(REGISTER_MULTIPLE)
    async def register_multiple(self, users: Iterable[NewUser]) -> list[ItemStatus]:
        """Register up to 10 accounts (registerMultiple); each status carries its UID.

        Returns one ``ItemStatus`` per user in input order with ``uid`` set whenever the
        server gave one: on errno 1 and on 135/461 (already registered: ``ok`` and
        ``already`` are true, and the UID is still given). Safe to repeat, so transient
        failures are retried (a lost registration answers 135/461 the second time); 131
        and 101003002 (an identical request in progress or within 5 s) are waited out.
        Passwords are never logged, shown or put in an error, and a plain ``password``
        is sent only over https (or to a loopback sandbox).

        Raises:
            InputError: not ``NewUser`` values, none, an account twice, more than 10, or
                a plain password for a plain-http server (nothing is sent).
            ApiError: the whole call failed, e.g. ``BadParametersError`` for 100.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        statuses: list[ItemStatus] = await self.request(REGISTER_MULTIPLE, users=users)
        return statuses
