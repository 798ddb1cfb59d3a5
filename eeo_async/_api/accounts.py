"""The value kinds of the user area: accounts, names, passwords, avatars, school roles.

Passwords (plain or MD5) are wrapped as soon as they are checked, so that no ``repr``,
log line or error message ever shows one, and so that the client refuses to send a
plain one over plain http.
"""

from __future__ import annotations

import re
from typing import Final

import attrs

from .._errors import InputError, InputTypeError
from .._wire.kinds import FileField, Kind, file_kind, text

#: A telephone as the docs take it: a mainland number (first digit not 0, no country
#: code), or ``00<country>-<number>`` (e.g. ``001-8006437676``).
TELEPHONE_PATTERN: Final = re.compile(r"(?:[1-9][0-9]{4,19}|00[1-9][0-9]{0,3}-[0-9]{4,20})")
EMAIL_PATTERN: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_MD5: Final = re.compile(r"[0-9a-f]{32}")
#: The docs' bounds: names 1 to 24 characters, passwords 6 to 20.
MAX_NAME_CHARS: Final = 24
PASSWORD_CHARS: Final = (6, 20)
#: An avatar: jpg, jpeg, gif or png, "smaller than 1 M" (register, addTeacher, editTeacher).
AVATAR_BYTES: Final = 1024 * 1024
AVATAR_TYPES: Final = frozenset({".jpg", ".jpeg", ".gif", ".png"})
#: ``addToSchoolMember``: 0 none, 1 a school student, 2 a school teacher.
SCHOOL_ROLES: Final = {"none": 0, "student": 1, "teacher": 2}


def validate_telephone(value: object, where: str) -> str:
    """A telephone the docs allow (an int is read as its digits)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        message = f"{where} must be a str, got {type(value).__name__}"
        raise InputTypeError(message)
    if not TELEPHONE_PATTERN.fullmatch(value):
        message = (
            f"{where} {value!r:.40} is not a number the docs allow: a mainland number "
            "without country code (first digit not 0) or 00<country>-<number>"
        )
        raise InputError(message)
    return value


def validate_email(value: object, where: str) -> str:
    """An email address (checked for its shape only)."""
    if not isinstance(value, str):
        message = f"{where} must be a str, got {type(value).__name__}"
        raise InputTypeError(message)
    if len(value) > 254 or not EMAIL_PATTERN.fullmatch(value):
        message = f"{where} {value!r:.60} is not an email address"
        raise InputError(message)
    return value


def validate_account(value: object, where: str) -> str:
    """A telephone or an email address: an account as addTeacher and addSchoolStudent take it."""
    if isinstance(value, str) and "@" in value:
        return validate_email(value, where)
    try:
        return validate_telephone(value, where)
    except InputTypeError:
        raise
    except InputError:
        message = (
            f"{where} {value!r:.40} is neither a telephone the docs allow (a mainland "
            "number without country code, or 00<country>-<number>) nor an email address"
        )
        raise InputError(message) from None


@attrs.frozen
class PlainPassword:
    """A plain password, checked: usable, never shown in a ``repr``."""

    password: str = attrs.field(repr=False)


@attrs.frozen
class Md5Password:
    """An MD5 hex digest of a password: usable, never shown in a ``repr``."""

    digest: str = attrs.field(repr=False)


def _check_password(value: object, where: str) -> PlainPassword:
    if isinstance(value, PlainPassword):
        return value
    if not isinstance(value, str):
        # The type only: never the value, which may be a password.
        message = f"{where} must be a str, got {type(value).__name__}"
        raise InputTypeError(message)
    low, high = PASSWORD_CHARS
    if not low <= len(value) <= high:
        message = f"{where} must be {low} to {high} characters (the docs' rule)"
        raise InputError(message)
    return PlainPassword(value)


def _check_md5(value: object, where: str) -> Md5Password:
    if isinstance(value, Md5Password):
        return value
    if not isinstance(value, str):
        message = f"{where} must be a str, got {type(value).__name__}"
        raise InputTypeError(message)
    if not _MD5.fullmatch(value):
        message = f"{where} must be 32 lower-case hex characters (an MD5 hex digest)"
        raise InputError(message)
    return Md5Password(value)


def _password_text(value: PlainPassword) -> str:
    return value.password


def _digest_text(value: Md5Password) -> str:
    return value.digest


def _check_role(value: object, where: str) -> int:
    if isinstance(value, str) and value in SCHOOL_ROLES:
        return SCHOOL_ROLES[value]
    if isinstance(value, int) and not isinstance(value, bool) and value in (0, 1, 2):
        return value
    message = f"{where} must be 'student' (1), 'teacher' (2) or 'none' (0), got {value!r:.40}"
    raise InputError(message)


def _check_avatar(value: object, where: str) -> FileField:
    checked: FileField = _AVATAR_FILE.check(value, where)
    suffix = checked.path.suffix.lower()
    if suffix not in AVATAR_TYPES:
        message = (
            f"{where}: {checked.filename!r} is not a jpg, jpeg, gif or png image (the docs' "
            "avatar types; it should also be 300*300)"
        )
        raise InputError(message)
    return checked


_AVATAR_FILE: Final = file_kind(AVATAR_BYTES - 1, 255)

#: A telephone, sent as text.
TELEPHONE: Final = Kind(check=validate_telephone)
#: An email address.
EMAIL: Final = Kind(check=validate_email)
#: A telephone or an email address.
ACCOUNT: Final = Kind(check=validate_account)
#: A plain password (6 to 20 characters); sent only over https or to a loopback sandbox.
PASSWORD: Final = Kind(
    check=_check_password, text=_password_text, json=_password_text, hidden=True, https_only=True
)
#: An MD5 hex digest of a password.
MD5_PASSWORD: Final = Kind(check=_check_md5, text=_digest_text, json=_digest_text, hidden=True)
#: A name shown in eeo.cn or in ClassIn: 1 to 24 characters, never cut silently.
NAME: Final = text(1, MAX_NAME_CHARS)
#: ``addToSchoolMember``: ``"student"``/1, ``"teacher"``/2 or ``"none"``/0.
SCHOOL_ROLE: Final = Kind(check=_check_role)
#: An avatar image file (``Filedata``), streamed from disk.
AVATAR: Final = Kind(check=_check_avatar, upload=True)
