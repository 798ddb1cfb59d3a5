"""What a receiver answers ClassIn: the documented success JSON, or a refusal it re-pushes after."""

from __future__ import annotations

import json
from typing import ClassVar, Final

import attrs

#: The answer ClassIn requires, byte for byte as the docs print it (``errno`` the int 1).
ACK_BODY: Final = json.dumps(
    {"error_info": {"errno": 1, "error": "程序正常执行"}}, ensure_ascii=False, separators=(",", ":")
).encode()


@attrs.frozen
class Reply:
    """The HTTP answer to one push: a status and a JSON body.

    Only ``status`` 200 with :data:`ACK_BODY` acks a push; anything else makes ClassIn
    push the same message again in 10 seconds, holding back every later one.

    Attributes:
        status: the HTTP status (200, or 400, 403, 413, 500, 503).
        body: the JSON body (``{"error_info": {"errno": ..., "error": ...}}``).
    """

    status: int
    body: bytes

    #: The ``Content-Type`` to send the body with.
    content_type: ClassVar[str] = "application/json; charset=utf-8"

    @property
    def ok(self) -> bool:
        """True when this reply acks the push."""
        return self.status == 200


def refusal(status: int, reason: str) -> Reply:
    """A reply that does not ack: ``errno`` is the HTTP status, ``error`` the reason in words."""
    doc = {"error_info": {"errno": status, "error": reason}}
    return Reply(status, json.dumps(doc, separators=(",", ":")).encode())


ACK: Final = Reply(200, ACK_BODY)
NOT_JSON: Final = refusal(400, "the body is not a JSON object")
FORBIDDEN: Final = refusal(403, "not signed with this school's SID and secret")
TOO_LARGE: Final = refusal(413, "the body is larger than this receiver accepts")
HANDLER_FAILED: Final = refusal(500, "a handler failed; push it again")
STORE_FAILED: Final = refusal(503, "the message could not be recorded; push it again")
