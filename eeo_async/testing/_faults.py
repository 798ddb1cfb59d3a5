"""The sandbox's fault knobs: ``Faults``, one field per kind (what each does is ``_responders``).

``eeo-async sandbox`` builds one flag per field from the attrs fields and the
"Attributes:" section of the docstring, so every field is described there.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import attrs

#: How ``echo_after`` may spell the echoed request (``Faults.echo_spellings``).
ECHO_SPELLINGS: Final = ("plain", "url", "lower", "json")
#: What a sandbox over its capacity answers (``Faults.capacity_answer``).
CAPACITY_ANSWERS: Final = ("114", "429", "503")


def _check_capacity(_: object, attribute: attrs.Attribute[int | None], value: object) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        message = f"{attribute.name} must be a positive int or None, got {value!r}"
        raise ValueError(message)


def _spellings(value: str | Iterable[str]) -> tuple[str, ...]:
    """``"url,json"`` (as a flag gives it) or a sequence of spellings, as a tuple."""
    names = value.split(",") if isinstance(value, str) else value
    return tuple(name.strip() for name in names)


def _check_spellings(_: object, attribute: attrs.Attribute[tuple[str, ...]], value: object) -> None:
    if not isinstance(value, tuple) or not value or not set(value) <= set(ECHO_SPELLINGS):
        message = f"{attribute.name} must be some of {ECHO_SPELLINGS}, got {value!r}"
        raise ValueError(message)


@attrs.define(kw_only=True)
class Faults:
    """Fault probabilities (0 to 1) and added latency; may be changed while running.

    Each decision is drawn from the seed, the request's content and how many times that
    same content was seen, so a run is the same whatever order requests arrive in. Every
    kind applies to both generations (v1 forms and v2 JSON) and answers in the route's
    own envelope, unless its line says otherwise. A kind whose line says "the change is
    applied" is never injected into a call the server refused (nothing was applied).

    Attributes:
        call_busy: the whole call answers code 114; nothing is applied.
        item_busy: each item answers 114 on its own (464 where the page says so) and is
            not applied.
        http_error: HTTP 502 with an HTML body; nothing is applied.
        non_json: HTTP 200 with an HTML body; nothing is applied.
        drop_before: the connection is closed before anything is applied.
        rate_limited: HTTP 429 with ``Retry-After: 1``; nothing is applied.
        redirect: HTTP 302 to another URL (a misconfigured proxy); nothing is applied.
        lost_after: the change is applied, then the connection is closed unanswered.
        error_after: the change is applied, then HTTP 502 with an HTML body.
        busy_after: the change is applied, then the call answers code 104.
        echo_after: the change is applied, then an HTML page echoing the request (as
            some proxies do: the safeKey, or for v2 the X-EEO-SIGN, is in it).
        gbk: the answer is encoded in GBK and says ``charset=gbk``; nothing else changes.
        latency: seconds added to every request.
        latency_jitter: up to this many seconds more, at random.
        capacity: requests the server handles at once; one that arrives while this
            many are in flight is answered busy at once, nothing applied (``None``: no
            limit). Counted in ``stats.faults_injected["capacity"]``.
        capacity_answer: the busy answer: ``"114"`` (code 114 in the route's envelope),
            ``"429"`` (HTTP 429 with ``Retry-After: 1``) or ``"503"`` (HTTP 503).
        busy_acted: the change is applied, then the call answers code 114 (production's
            "114: see 104" may come after acting).
        keepalive_close: the answer is sent normally, kept alive, then the server
            closes that connection when the next request arrives on it, without reading
            or applying it (the client's next request on that pooled connection fails).
        bom: the JSON answer starts with a UTF-8 byte order mark (a classic PHP fault).
        gzip: the answer is gzip-compressed, with ``Content-Encoding: gzip`` and the
            compressed ``Content-Length``.
        gzip_bomb_bytes: with ``gzip``, that many spaces follow the JSON answer inside
            the compressed body: a small body that inflates hugely (``None``: none).
        echo_spellings: how ``echo_after`` spells the echoed fields, one or more of
            ``plain`` (``safeKey=KEY``), ``url`` (the same text percent-encoded, its
            ``=`` and ``&`` escaped), ``lower`` (``safekey=KEY``) and ``json``
            (``"safeKey":"KEY"``); a flag takes them comma-separated.
        too_frequent: v2 routes only: the call answers code 101003001 ("requests too
            frequent"); nothing is applied.
    """

    call_busy: float = 0.0
    item_busy: float = 0.0
    http_error: float = 0.0
    non_json: float = 0.0
    drop_before: float = 0.0
    rate_limited: float = 0.0
    redirect: float = 0.0
    lost_after: float = 0.0
    error_after: float = 0.0
    busy_after: float = 0.0
    echo_after: float = 0.0
    gbk: float = 0.0
    latency: float = 0.0
    latency_jitter: float = 0.0
    capacity: int | None = attrs.field(default=None, validator=_check_capacity)
    capacity_answer: str = attrs.field(
        default="114", validator=attrs.validators.in_(CAPACITY_ANSWERS)
    )
    busy_acted: float = 0.0
    keepalive_close: float = 0.0
    bom: float = 0.0
    gzip: float = 0.0
    gzip_bomb_bytes: int | None = attrs.field(default=None, validator=_check_capacity)
    echo_spellings: tuple[str, ...] = attrs.field(
        default=("plain",), converter=_spellings, validator=_check_spellings
    )
    too_frequent: float = 0.0
