"""Any action without a typed method: ``call()`` (v1) and ``call_v2()`` (v2).

Each builds a row for the action's shape (kept for the next call of that shape) and sends
it like any typed method, returning the decoded envelope whatever its code.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from .._client import BaseClient
from .._constants import V1_COURSE_PATH
from .._errors import InputError, InputTypeError
from .._http import SealedText
from .._models import Envelope
from .._wire.decode import decode_envelope
from .._wire.endpoint import Endpoint, Param
from .._wire.kinds import Kind, compact
from .._wire.v1 import SIGNING as V1_SIGNING
from .._wire.v2 import RESERVED as V2_RESERVED

#: Distinct ``call()``/``call_v2()`` shapes whose rows are kept built.
_ROWS_KEPT: Final = 128


class Calls(BaseClient):
    """``call()`` and ``call_v2()`` (mixed into ``eeo_async.Client``)."""

    async def call(
        self,
        action: str,
        fields: Mapping[str, object],
        *,
        safe_to_repeat: bool = False,
        path: str = V1_COURSE_PATH,
    ) -> Envelope:
        """Send any v1 action, signed, and return its decoded envelope (errno, error, data).

        For actions without a typed method. ``fields`` are the action's form fields by
        their wire names; lists and dicts are sent as the JSON string the API expects,
        numbers as text. Whatever the errno, the envelope is returned (``ok`` is true
        for errno 1; ``raise_for_errno()`` raises the ``ApiError``). The cloud-drive
        actions take ``path="/partner/api/cloud.api.php"``.

        Retries: transport faults and transient errnos are retried only where the server
        cannot have acted (connection refused, 131, HTTP 429), unless
        ``safe_to_repeat=True`` says that sending the action twice does no harm.

        Raises:
            InputError: a bad action name, path or field (nothing is sent).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        if not isinstance(action, str) or not action.isidentifier():
            message = f"action must be an action name such as 'addCourseStudent', got {action!r}"
            raise InputError(message)
        if not isinstance(path, str) or not re.fullmatch(r"/[\w./-]*\.php", path):
            message = f"path must be a v1 file such as {V1_COURSE_PATH!r}, got {path!r}"
            raise InputError(message)
        names = _field_names(fields, V1_SIGNING, "the client signs")
        values = _by_slot(fields)
        del fields  # a password is held sealed from here on, never as a frame's local
        row = self._any_row(
            generation=1, action=action, path=path, names=names, safe=safe_to_repeat
        )
        envelope: Envelope = await self.request(row, **values)
        return envelope

    async def call_v2(
        self, path: str, body: Mapping[str, object], *, safe_to_repeat: bool = False
    ) -> Envelope:
        """Send any v2 path, signed in headers, and return its decoded envelope.

        For v2 actions without a typed method. ``body`` is the JSON object to send
        (without ``sid`` or ``timeStamp``: the signature carries them); ``errno`` of the
        envelope is the answer's ``code`` and ``error`` its ``msg``. Whatever the code,
        the envelope is returned. Retries as for :meth:`call`.

        Raises:
            InputError: a bad path or body (nothing is sent).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        if (
            not isinstance(path, str)
            or not re.fullmatch(r"(/[A-Za-z0-9_.-]+)+", path)
            or path.endswith(".php")
        ):
            message = f"path must be a v2 path such as '/lms/unit/create', got {path!r}"
            raise InputError(message)
        names = _field_names(body, V2_RESERVED, "the signature carries them")
        row = self._any_row(generation=2, action=path, path=path, names=names, safe=safe_to_repeat)
        envelope: Envelope = await self.request(row, **_by_slot(body))
        return envelope

    def _any_row(
        self, *, generation: int, action: str, path: str, names: tuple[str, ...], safe: bool
    ) -> Endpoint:
        key = (generation, action, path, names, safe)
        # Kept in the instance (a with_options copy shares the dict with its original).
        rows: dict[tuple[object, ...], Endpoint] = self.__dict__.setdefault("_call_rows", {})
        row = rows.get(key)
        if row is None:
            if len(rows) >= _ROWS_KEPT:
                rows.clear()
            row = rows[key] = Endpoint(
                action=action,
                params=tuple(Param(slot, name, _kind_of(name)) for slot, name in _slots(names)),
                generation=generation,  # type: ignore[arg-type]
                path=path,
                idempotent=safe,
                decode=_decode_envelope,
            )
        return row


def _field_names(fields: object, reserved: frozenset[str], why: str) -> tuple[str, ...]:
    if not isinstance(fields, Mapping):
        message = f"fields must be a mapping of wire names to values, got {fields!r:.60}"
        raise InputTypeError(message)
    names = tuple(str(name) for name in fields)
    taken = reserved.intersection(names)
    if taken:
        message = f"fields must not hold {', '.join(sorted(taken))}: {why}"
        raise InputError(message)
    return names


def _slots(names: Sequence[str]) -> list[tuple[str, str]]:
    """A Python name for each wire name: itself where it can be one (for messages)."""
    return [
        (
            name
            if name.isidentifier()
            and not keyword.iskeyword(name)
            and name[0] != "_"
            and name not in names[:index]
            else f"field_{index}_",
            name,
        )
        for index, name in enumerate(names)
    ]


def _by_slot(fields: Mapping[str, object]) -> dict[str, object]:
    """The values by slot name, a password's text sealed (its ``repr`` hides it)."""
    names = [str(name) for name in fields]
    return {
        slot: SealedText(value) if isinstance(value, str) and _SECRET_NAME.search(name) else value
        for (slot, name), value in zip(_slots(names), fields.values(), strict=True)
    }


def _any_field(value: object, where: str) -> object:
    if isinstance(value, bool) or value is None:
        message = f"fields[{where!r}] must be a str, int, list or dict, got {value!r}"
        raise InputTypeError(message)
    if not isinstance(value, str | int | list | tuple | dict):
        message = f"fields[{where!r}] must be a str, int, list or dict, got {value!r:.60}"
        raise InputTypeError(message)
    return list(value) if isinstance(value, tuple) else value


def _secret_field(value: object, where: str) -> object:
    if not isinstance(value, str):
        message = f"fields[{where!r}] must be a str, got {type(value).__name__}"
        raise InputTypeError(message)
    return value


def _field_text(value: object) -> str:
    return compact(value) if isinstance(value, list | dict) else str(value)


_ANY_FIELD: Final = Kind(check=_any_field, text=_field_text)
#: A field named like a password: never quoted, scrubbed from echoing answers, and a
#: plain one (not an MD5 digest) is sent only over https, as the typed methods do.
_DIGEST_FIELD: Final = Kind(check=_secret_field, hidden=True)
_PASSWORD_FIELD: Final = Kind(check=_secret_field, hidden=True, https_only=True)
_SECRET_NAME: Final = re.compile(r"pass|pwd", re.IGNORECASE)


def _kind_of(name: str) -> Kind:
    if not _SECRET_NAME.search(name):
        return _ANY_FIELD
    return _DIGEST_FIELD if "md5" in name.lower() else _PASSWORD_FIELD


def _decode_envelope(endpoint: Endpoint, answer: Any, items: Sequence[Any]) -> Envelope:
    """Any code is returned, but a transient one is raised so that it can be retried."""
    return decode_envelope(endpoint, answer, items)
