"""Values the SDK takes and returns: statuses, results, outcomes, group members, envelopes."""

from __future__ import annotations

import re
from typing import Any, Final, Literal

import attrs

from ._codes import Errno, describe
from ._errors import InputError, InputTypeError, api_error
from ._json import JsonReady

#: The final outcome of an item of a batch; see :attr:`ItemResult.outcome`.
Outcome = Literal["succeeded", "already", "failed", "unknown"]
#: Outcomes in the order of their codes in a report's outcome column (0 = none yet).
OUTCOMES: tuple[Outcome, ...] = ("succeeded", "already", "failed", "unknown")


class _Meaning(JsonReady):
    """``meaning`` and ``to_dict()``: what every answer type has (the base of result types)."""

    __slots__ = ()
    errno: int

    @property
    def meaning(self) -> str:
        """The documented English meaning of :attr:`errno`, beside the server's own words."""
        return describe(self.errno)


@attrs.frozen
class ItemStatus(_Meaning):
    """The server's answer for one item of a call (one lesson, or one student).

    ``ok`` is true when the item is in the state asked for: newly done (errno 1), done
    with a side failure the message describes (one of the action's "side" codes, such
    as 841 "member added, nickname not synced": ``side`` is then true and the message
    is a warning), or already so (an errno of the action's "already" family, such as
    166 "already in the lesson" when adding or 167 "not in the lesson" when removing:
    ``already`` is then true).
    """

    errno: int
    error: str
    already: bool = attrs.field(default=False, kw_only=True)
    #: Done, with a side failure (the action's "side" codes): ``error`` is a warning.
    side: bool = attrs.field(default=False, kw_only=True)
    #: The account's UID where the action answers one per item (registerMultiple,
    #: also for 135/461 "already registered"); ``None`` otherwise.
    uid: int | None = attrs.field(default=None, kw_only=True)
    #: The ID the server answered for the item where it answers one (a UID, a new
    #: lesson's class ID, a new classroom's activity ID ...); ``None`` otherwise.
    id: int | None = attrs.field(default=None, kw_only=True)
    #: The item's ``customColumn`` as the server returned it (always a string).
    custom_column: str | None = attrs.field(default=None, kw_only=True)

    @property
    def ok(self) -> bool:
        """True when the item reached the target state (errno 1, a side code, or already)."""
        return self.errno == Errno.OK or self.side or self.already


def _default_outcome(result: ItemResult) -> Outcome:
    if result.errno == Errno.OK or result.side:
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
        uid: the account's UID, for an operation that answers one (``register``).
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
class GroupMember(JsonReady):
    """One student of a course group; exactly one member of each group is the leader."""

    student_uid: int
    is_leader: bool = False


@attrs.frozen(kw_only=True)
class GroupResult(_Meaning):
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
class ActionResult(_Meaning):
    """The answer to an action that returns no data (``edit_course_group``, ...).

    Attributes:
        errno: 1, a side code or an "already" code of the action (any other errno is
            raised as an ``ApiError``).
        error: the server's message.
        action: the action that was called.
        attempts: HTTP attempts made.
    """

    errno: int = Errno.OK
    error: str = ""
    action: str = ""
    attempts: int = 1
    #: Done, with a side failure (one of the action's "side" codes): ``error`` says what.
    side: bool = False
    #: Already so (one of the action's "already" codes, such as 356 "no such label" when
    #: deleting one). After more than one attempt, the earlier attempt may have done it.
    already: bool = False

    @property
    def ok(self) -> bool:
        """True for errno 1, a side code (done, with a warning) or an "already" code."""
        return self.errno == Errno.OK or self.side or self.already


@attrs.frozen(kw_only=True)
class Envelope(_Meaning):
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


#: A telephone as registerMultiple takes it: a mainland number (first digit not 0,
#: no country code), or ``00<country>-<number>`` (e.g. ``001-8006437676``).
_TELEPHONE: Final = re.compile(r"(?:[1-9][0-9]{4,19}|00[1-9][0-9]{0,3}-[0-9]{4,20})")
_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_MD5: Final = re.compile(r"[0-9a-f]{32}")
#: The docs' bounds: nickname up to 24 characters, customColumn 1 to 50, password 6 to 20.
MAX_NICKNAME_CHARS: Final = 24
MAX_CUSTOM_COLUMN_CHARS: Final = 50
PASSWORD_CHARS: Final = (6, 20)
#: ``add_to_school`` values and their wire values of ``addToSchoolMember``.
SCHOOL_ROLES: Final = {"student": 1, "teacher": 2}


def _text(value: object, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        message = f"{name} must be a str or None, got {type(value).__name__}"
        raise InputTypeError(message)
    return value


def _bounded(value: str | None, name: str, most: int) -> None:
    if value is None:
        return
    if not value.strip():
        message = f"{name} must not be blank; leave it out (None) instead"
        raise InputError(message)
    if len(value) > most:
        message = (
            f"{name} must be at most {most} characters, got {len(value)} "
            "(the server would cut it; shorten it yourself)"
        )
        raise InputError(message)


def _telephone_text(value: Any) -> Any:
    """A telephone given as a number (as in the docs' samples) becomes its digits."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _school_role(value: Any) -> Any:
    """``addToSchoolMember``'s wire values (1, 2; 0 = none) read as the role names."""
    if isinstance(value, int) and not isinstance(value, bool):
        return {0: None, 1: "student", 2: "teacher"}.get(value, value)
    return value


@attrs.frozen(kw_only=True)
class NewUser:
    """An account to register (registerMultiple): telephone or email, and a password.

    Exactly one of ``telephone`` and ``email`` (the account; the report's key) and
    exactly one of ``password`` (plain text, 6 to 20 characters, sent as the docs
    allow in the ``password`` field) and ``md5_password`` (32 lower-case hex characters,
    the docs' recommended form, sent as ``md5pass``). Passwords never appear in a
    ``repr``, a log, a report or an error message. Nothing is cut silently: a nickname
    over 24 characters or a custom column over 50 is refused. The docs say nickname and
    password take effect only when the account is first registered.

    Attributes:
        telephone: a mainland number (``"15800000001"``, an int is read as its digits)
            or ``"00<country>-<number>"``.
        email: an email address.
        password: the plain password.
        md5_password: the MD5 hex digest of the password.
        nickname: the name shown in ClassIn (and in the school's lists when added).
        add_to_school: ``"student"`` or ``"teacher"`` (or the wire values 1 and 2) to bind
            the account to the school (``addToSchoolMember``); ``None`` (or 0) does not.
        custom_column: the caller's own tag, returned with the item's answer.

    Raises:
        InputError: a rule above is broken (the message never quotes a password).
    """

    telephone: str | None = attrs.field(default=None, converter=_telephone_text)
    email: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    md5_password: str | None = attrs.field(default=None, repr=False)
    nickname: str | None = None
    add_to_school: Literal["student", "teacher"] | None = attrs.field(
        default=None, converter=_school_role
    )
    custom_column: str | None = None

    def __attrs_post_init__(self) -> None:
        telephone = _text(self.telephone, "telephone")
        email = _text(self.email, "email")
        if (telephone is None) == (email is None):
            message = "give exactly one of telephone and email"
            raise InputError(message)
        if telephone is not None and not _TELEPHONE.fullmatch(telephone):
            message = (
                f"telephone {telephone!r:.40} is not a number the docs allow: a mainland "
                "number without country code (first digit not 0) or 00<country>-<number>"
            )
            raise InputError(message)
        if email is not None and (len(email) > 254 or not _EMAIL.fullmatch(email)):
            message = f"email {email!r:.60} is not an email address"
            raise InputError(message)
        password = _text(self.password, "password")
        md5 = _text(self.md5_password, "md5_password")
        if (password is None) == (md5 is None):
            message = "give exactly one of password and md5_password"
            raise InputError(message)
        low, high = PASSWORD_CHARS
        if password is not None and not low <= len(password) <= high:
            message = f"password must be {low} to {high} characters (the docs' rule)"
            raise InputError(message)
        if md5 is not None and not _MD5.fullmatch(md5):
            message = "md5_password must be 32 lower-case hex characters (an MD5 hex digest)"
            raise InputError(message)
        _bounded(_text(self.nickname, "nickname"), "nickname", MAX_NICKNAME_CHARS)
        _bounded(
            _text(self.custom_column, "custom_column"), "custom_column", MAX_CUSTOM_COLUMN_CHARS
        )
        if self.add_to_school is not None and self.add_to_school not in SCHOOL_ROLES:
            given = f"{self.add_to_school!r:.40}"
            message = f"add_to_school must be 'student', 'teacher' or None, got {given}"
            raise InputError(message)

    @property
    def account(self) -> str:
        """The telephone or the email: what identifies the account (the report's key)."""
        return self.telephone if self.telephone is not None else str(self.email)

    def to_wire(self) -> dict[str, object]:
        """The entry of ``userJson`` for this account (holds the password: never log it)."""
        doc: dict[str, object] = (
            {"telephone": self.telephone} if self.telephone is not None else {"email": self.email}
        )
        if self.password is not None:
            doc["password"] = self.password
        else:
            doc["md5pass"] = self.md5_password
        if self.nickname is not None:
            doc["nickname"] = self.nickname
        if self.add_to_school is not None:
            doc["addToSchoolMember"] = SCHOOL_ROLES[self.add_to_school]
        if self.custom_column is not None:
            doc["customColumn"] = self.custom_column
        return doc
