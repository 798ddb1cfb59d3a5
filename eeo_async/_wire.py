"""Sans-I/O wire layer: sign, encode, decode and validate. No sockets here."""

from __future__ import annotations

import hashlib


def sign(secret: str, timestamp: int) -> str:
    """Return ``md5(secret + str(timestamp))`` as 32 lower-case hex characters."""
    return hashlib.md5((secret + str(timestamp)).encode()).hexdigest()
