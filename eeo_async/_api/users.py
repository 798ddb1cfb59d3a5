"""Users: accounts and their passwords.

register, registerMultiple, modifyPassword and modifyPasswordByTelephone. Registering
is safe to repeat: an account registered by a lost attempt answers 135/461 with its UID
the second time. Passwords are never logged, shown or put in an error. The rest of the
docs' user area is in ``members`` (the school's students and teachers) and ``students``
(teachers' comments and class nicknames).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from os import PathLike
from typing import Any, Final, Literal
from urllib.parse import quote_plus

import attrs

from .._client import BaseClient
from .._codes import Errno
from .._errors import DataMismatchError, InputError, InputTypeError
from .._models import ActionResult, ItemStatus, NewUser
from .._wire.decode import decode_done, decode_item_details
from .._wire.endpoint import Answer, Bulk, Endpoint, Param
from .._wire.kinds import FLAG, ID, ItemsKind, as_int, compact
from .accounts import AVATAR, EMAIL, MD5_PASSWORD, NAME, PASSWORD, SCHOOL_ROLE, TELEPHONE
from .base import action, done_as


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
    hidden=lambda users: [s for u in users for s in (u.password, u.md5_password) if s],
    https_only=lambda user: user.password is not None,
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


@attrs.frozen(kw_only=True)
class Registration(ActionResult):
    """The answer to ``register``: the account's UID, new or already registered.

    ``ok`` is true on errno 1, on 135/461 (the telephone or email was registered
    before: ``already`` is true; nickname, avatar and password were then left as they
    were) and on the side codes 820/821 (registered, but not added to the school as a
    student/teacher) and 340 (registered, but the avatar was not set): ``side`` is
    true and ``error`` is the warning.

    Attributes:
        uid: the account's UID (keep it: every later call names users by it); ``None``
            only if the server answered a side code without one.
    """

    uid: int | None


def _one_of(values: Mapping[str, Any], names: tuple[str, str], why: str = "") -> None:
    given = [name for name in names if values.get(name) is not None]
    if len(given) != 1:
        message = f"give exactly one of {names[0]} and {names[1]}{why}"
        raise InputError(message)


def check_register(values: Mapping[str, Any], count: int) -> None:
    """Refuse what register's page refuses (877 and the either-or fields), before sending."""
    _one_of(values, ("telephone", "email"))
    if values.get("is_sent_message") == 1:
        # register_new: with isSentMessage=1 md5pass "has no effect" and a password left
        # out is made up and texted; without addToSchoolMember the server answers 877.
        if values.get("add_to_school_member") not in (1, 2):
            message = (
                "is_sent_message needs add_to_school_member 'student' or 'teacher' "
                "(else the server answers 877)"
            )
            raise InputError(message)
        if values.get("md5pass") is not None:
            message = (
                "md5pass has no effect with is_sent_message (the docs): give password, or "
                "neither for a random one the SMS sends"
            )
            raise InputError(message)
        return
    _one_of(values, ("password", "md5pass"))


def decode_registration(endpoint: Endpoint, answer: Answer, items: Any = ()) -> Registration:
    """The answer of register: the UID in ``data`` on 1, 135/461 (already) and the side codes.

    Raises:
        ApiError: any other code.
        DataMismatchError: no UID on errno 1 or 135/461.
    """
    done = decode_done(endpoint, answer)
    uid = as_int(answer.data)
    if uid is None and not done.side:
        message = f"data should be the account's UID, got {answer.data!r:.60}"
        raise DataMismatchError(endpoint.action, message)
    return done_as(Registration, done, uid=uid)


#: One account, optionally with its avatar (multipart then). Safe to repeat: a repeat
#: answers 135/461 with the UID (nickname, avatar and password apply only the first
#: time), and isSentMessage is ignored then, so no second SMS goes out.
REGISTER: Final = Endpoint(
    action="register",
    params=(
        Param("telephone", "telephone", TELEPHONE, default=None),
        Param("email", "email", EMAIL, default=None),
        Param("password", "password", PASSWORD, default=None),
        Param("md5pass", "md5pass", MD5_PASSWORD, default=None),
        Param("nickname", "nickname", NAME, default=None),
        Param("filedata", "Filedata", AVATAR, default=None),
        Param("add_to_school_member", "addToSchoolMember", SCHOOL_ROLE, default=None),
        Param("is_sent_message", "isSentMessage", FLAG, default=None),
    ),
    idempotent=True,
    # Registration keeps its rule: identical requests one after another, never shared.
    one_at_a_time=True,
    already=frozenset({Errno.PHONE_REGISTERED, Errno.EMAIL_REGISTERED}),
    side=frozenset({Errno.SCHOOL_STUDENT_FAILED, Errno.SCHOOL_TEACHER_FAILED, Errno.AVATAR_FAILED}),
    check=check_register,
    decode=decode_registration,
)

#: Change a password given the old one. No page in the docs mirror: the fields are the
#: INDEX's (from the public clients). Not safe to repeat: once the first attempt applied,
#: the old password no longer matches, so a repeat would be refused.
MODIFY_PASSWORD: Final = Endpoint(
    action="modifyPassword",
    params=(
        Param("uid", "uid", ID),
        Param("old_md5pass", "oldMd5pass", MD5_PASSWORD),
        Param("password", "password", PASSWORD, default=None),
        Param("md5pass", "md5pass", MD5_PASSWORD, default=None),
    ),
    idempotent=False,
    check=lambda values, _: _one_of(values, ("password", "md5pass")),
    decode=decode_done,
)

#: Set a password without the old one (227 unless the school added the user): a
#: set-to-value, harmless to repeat.
MODIFY_PASSWORD_BY_TELEPHONE: Final = Endpoint(
    action="modifyPasswordByTelephone",
    params=(
        Param("uid", "uid", ID),
        Param("password", "password", PASSWORD, default=None),
        Param("md5pass", "md5pass", MD5_PASSWORD, default=None),
    ),
    idempotent=True,
    check=lambda values, _: _one_of(values, ("password", "md5pass")),
    decode=decode_done,
)

Role = Literal["student", "teacher", "none"] | int


class Users(BaseClient):
    """The typed methods of accounts (mixed into ``eeo_async.Client``)."""

    @action(REGISTER)
    async def register(
        self,
        *,
        telephone: str | int | None = None,
        email: str | None = None,
        password: str | None = None,
        md5pass: str | None = None,
        nickname: str | None = None,
        filedata: str | PathLike[str] | None = None,
        add_to_school_member: Role | None = None,
        is_sent_message: bool | None = None,
    ) -> Registration:
        """Register one account, or find it, and return its UID (register).

        Give exactly one of ``telephone`` and ``email``, and one of ``password`` (6 to
        20 characters, sent only over https or to a loopback sandbox) and ``md5pass``
        (its MD5 hex digest, the docs' advice). ``filedata`` is an avatar image (jpg,
        jpeg, gif or png under 1 MB, 300*300), streamed from disk. ``add_to_school_member``
        ``"student"``/1 or ``"teacher"``/2 also adds the account to the school.
        ``is_sent_message=True`` has ClassIn text the password (needs
        ``add_to_school_member``; without ``password`` a random one is made).

        An account registered before answers 135/461 with its UID: ``already`` is true
        and nickname, avatar and password are left as they were (the docs disagree on
        whether ``add_to_school_member`` applies then: add_school_student or add_teacher
        make sure). 820/821/340 are successes with a warning (``side``). Safe to repeat,
        so transient failures are retried; 131 and 101003002 (an identical request in
        progress or within 5 s) are waited out.

        Raises:
            InputError: a bad or missing value (nothing is sent; a password is never
                quoted).
            ApiError: the call failed, e.g. 134 (illegal telephone), 845 (teacher quota).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: Registration = await self.request(
            REGISTER,
            telephone=telephone,
            email=email,
            password=password,
            md5pass=md5pass,
            nickname=nickname,
            filedata=filedata,
            add_to_school_member=add_to_school_member,
            is_sent_message=is_sent_message,
        )
        return result

    @action(MODIFY_PASSWORD)
    async def modify_password(
        self,
        uid: int | str,
        old_md5pass: str,
        *,
        password: str | None = None,
        md5pass: str | None = None,
    ) -> ActionResult:
        """Change a user's password, given the MD5 of the old one (modifyPassword).

        The docs mirror has no page for this action: its fields are the INDEX's (uid,
        ``oldMd5pass``, and ``password`` or ``md5pass``), and its error codes are not
        documented. Not safe to repeat (once applied, the old password no longer
        matches), so it is re-sent only where the server cannot have acted; after a
        timeout or 104/114 the error says to check before trying again.

        Raises:
            InputError: a bad ID, a password of the wrong length, a digest that is not
                32 lower-case hex characters, or not exactly one new password.
            ApiError: the server refused the change.
            TransportError: no usable answer; the password may have been changed.
            ProtocolError: the answer was not the documented JSON.
        """
        result: ActionResult = await self.request(
            MODIFY_PASSWORD, uid=uid, old_md5pass=old_md5pass, password=password, md5pass=md5pass
        )
        return result

    @action(MODIFY_PASSWORD_BY_TELEPHONE)
    async def modify_password_by_telephone(
        self, uid: int | str, *, password: str | None = None, md5pass: str | None = None
    ) -> ActionResult:
        """Set a user's password without the old one (modifyPasswordByTelephone).

        Give exactly one of ``password`` (6 to 20 characters) and ``md5pass``. Only for
        users the school added as students or teachers (else 227). Setting a value is
        harmless to repeat, so transient failures are retried.

        Raises:
            InputError: a bad ID or password, or not exactly one of the two.
            ApiError: the call failed, e.g. 227 (the school may not change it), 113.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self.request(
            MODIFY_PASSWORD_BY_TELEPHONE, uid=uid, password=password, md5pass=md5pass
        )
        return result

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
