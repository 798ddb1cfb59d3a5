"""What the batch engine uses of a Client: its send function, waits and limits, as one value.

The Client makes it (``BaseClient._engine``); :func:`engine` is the batch engine's one
way to it, so that no other module reaches into the Client's internals.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import attrs

from ._limits import AdaptiveLimit
from ._retry import RetryPolicy
from ._transport import Transport
from ._wire.endpoint import Endpoint


@attrs.frozen(kw_only=True)
class Engine:
    """What the batch engine uses of a client: its send function, waits and limits.

    Attributes:
        send: ``send(endpoint, body, items, attempt)``: one signed attempt, decoded.
        sleep: the client's wait (``set_testing`` turns waits off).
        concurrency: the adaptive limit shared by the client's batch jobs.
        transport: the transport (a job reserves its concurrency there).
        base_url: where requests go (named when a server cannot be reached).
        policy: the client's retry policy.
        check: ``check(endpoint, values)`` refuses values the client never sends
            (plain passwords over http); ``values`` are the items and other values.
    """

    send: Callable[[Endpoint, Any, Sequence[Any], int], Awaitable[Any]]
    sleep: Callable[[float], Awaitable[None]]
    concurrency: AdaptiveLimit
    transport: Transport
    base_url: str
    policy: RetryPolicy
    check: Callable[[Endpoint, Iterable[object]], None]
