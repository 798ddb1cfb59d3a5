"""The receiver: verify, deduplicate, run the handlers, record, and only then ack.

ClassIn pushes one ordered queue per school and re-pushes a message every 10 seconds
until the answer is the success JSON, holding back every later message. So a forged
push is refused before any handler runs, a good one is acked only once its handlers
returned and its key is recorded, a repeat is acked without running them again, and a
handler's error is answered "not ok" so that the message comes back.

Deduplication comes only after verification: nothing of a push is looked up or recorded
under its key (``_id``) before its SID and SafeKey are proven, so a forged push carrying a
real message's ``_id`` is refused with 403 and cannot make the real one pass for a
repeat. Only the TimeStamp is signed, though: a SafeKey someone has seen (a push over
plain HTTP) signs any body, ``_id`` included, and with ``allow_unsigned=True`` an
unsigned push counts as proven. Hence TLS, and that option only behind an allowlist.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, TypeVar, overload

import attrs

from .._constants import LOGGER_NAME
from .._errors import InputError, InputTypeError
from . import _adapters
from ._events import RegistrationTest, parse
from ._fields import Event
from ._reply import ACK, FORBIDDEN, HANDLER_FAILED, NOT_JSON, STORE_FAILED, TOO_LARGE, Reply
from ._stores import MemoryStore, Store
from ._verify import Secret, check, load, school_id

if TYPE_CHECKING:
    from aiohttp import web

#: Largest push body accepted (bytes); an ``End`` of a large lesson is well below it.
DEFAULT_MAX_BODY: Final = 8 * 1024 * 1024
#: (Cmd, event class) pairs whose handlers are remembered: every documented one, with room
#: for new ones; past it the oldest is forgotten (a Cmd of every push's own would be).
_PLANS_REMEMBERED: Final = 256
#: Keys of failing messages remembered to log a traceback once each (one is usually enough:
#: the queue is blocked behind the first).
_FAILURES_REMEMBERED: Final = 1024

logger = logging.getLogger(f"{LOGGER_NAME}.webhooks")

H = TypeVar("H", bound=Callable[..., Any])
E = TypeVar("E", bound=Event)


@attrs.define
class ReceiverStats:
    """What a receiver has answered since it started.

    Attributes:
        acked: new messages handled, recorded and acked.
        by_cmd: ``acked`` per ``Cmd`` (as text).
        duplicates: pushes of a message already recorded, acked without handlers.
        tests: registration tests acked.
        refused: pushes refused with 403 (another SID, a wrong or missing SafeKey, too old).
        malformed: bodies that were not a JSON object (400).
        too_large: bodies over the cap (413).
        failed: pushes a handler raised on (500; ClassIn pushes them again).
        store_errors: pushes that could not be recorded (503; pushed again too).
    """

    acked: int = 0
    by_cmd: Counter[str] = attrs.field(factory=Counter)
    duplicates: int = 0
    tests: int = 0
    refused: int = 0
    malformed: int = 0
    too_large: int = 0
    failed: int = 0
    store_errors: int = 0


@attrs.frozen
class _Handler:
    cmd: str | None  # None: every event
    kind: type[Event] | None  # only instances of it (``on(HandsUp)``)
    func: Callable[[Any], Any]


def _name(func: Callable[..., Any]) -> str:
    return str(getattr(func, "__qualname__", None) or repr(func))


def _shown(value: object) -> str:
    # Values from an unverified body: quoted and cut, so a log line stays one short line.
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class Receiver:
    """ClassIn's data subscription for one school: verified, deduplicated, acked after commit.

    Register handlers with :meth:`on` (per ``Cmd``) and :meth:`on_any` (every event),
    then serve :meth:`handle` through :meth:`aiohttp_app`, :meth:`asgi_app` or your own
    route. For each push:

    - not a JSON object: 400; over ``max_body`` bytes: 413 (the adapters stop reading);
    - another SID, a SafeKey that is not ``md5(secret + TimeStamp)``, or no SafeKey and
      TimeStamp at all: 403, no handler runs and nothing is recorded, so a forged push
      cannot take a real message's ``_id`` first. Unsigned pushes are refused because
      only the SafeKey proves origin, although some of the docs' examples omit it;
      ``allow_unsigned=True`` accepts them (only behind an allowlist of ClassIn's
      addresses). No freshness window unless ``max_age`` is given (see :func:`verify`);
    - ``Test`` (registering the URL): acked, and no handler sees it (``on("Test")`` is
      refused);
    - a message whose key (``_id``, see :attr:`Event.key`) is recorded: acked, no handler;
    - otherwise every matching handler runs, in the order registered, sync or async
      (a sync one runs on the event loop: keep it short). If one raises, the answer is
      500, nothing is recorded, the error is logged with the Cmd and ``_id`` (a
      traceback the first time), and ClassIn pushes the message again in 10 s; then
      all its handlers run again, so make them idempotent. When all returned, the key is
      recorded in the store and only then is the push acked. A store error gives 503.

    Two identical pushes at once never run the handlers twice: the second waits for the
    first and is then acked as a duplicate. Handlers run at least once per message; the
    store records each key exactly once.

    Args:
        sid: the school ID pushes must name (int or digit string).
        secret: the school's API secret; never logged, never in ``repr``.
        store: where handled keys are recorded; a :class:`MemoryStore` (lost at exit)
            when None. Use :class:`SQLiteStore` in production.
        max_body: the largest body accepted, in bytes.
        max_age: optional oldest ``TimeStamp`` accepted, in seconds (none by default).
        allow_unsigned: accept pushes that carry no SafeKey or no TimeStamp.
        clock: the clock ``max_age`` is measured with.

    Raises:
        InputError: a bad ``sid``, an empty ``secret``, or ``max_body`` or ``max_age``
            not positive.
    """

    def __init__(
        self,
        sid: int | str,
        secret: str,
        *,
        store: Store | None = None,
        max_body: int = DEFAULT_MAX_BODY,
        max_age: float | None = None,
        allow_unsigned: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = Secret(secret)
        del secret  # only the Secret holds it now: no error below shows it among its locals
        self.sid = school_id(sid)
        if isinstance(max_body, bool) or not isinstance(max_body, int) or max_body <= 0:
            message = f"max_body must be a positive number of bytes, not {max_body!r}"
            raise InputError(message)
        if max_age is not None and not max_age > 0:
            message = f"max_age must be a positive number of seconds or None, not {max_age!r}"
            raise InputError(message)
        self.store: Store = MemoryStore() if store is None else store
        self.max_body = max_body
        self.max_age = max_age
        self.allow_unsigned = allow_unsigned
        self.stats = ReceiverStats()
        self._clock = clock
        self._handlers: list[_Handler] = []
        self._plans: dict[tuple[str, type[Event]], tuple[_Handler, ...]] = {}
        self._running: dict[str, asyncio.Event] = {}
        self._failures: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"<eeo_async.webhooks.Receiver sid={self.sid} store={self.store!r}>"

    # ---------------------------------------------------------------- handlers

    @overload
    def on(self, cmd: type[E]) -> Callable[[Callable[[E], Any]], Callable[[E], Any]]: ...

    @overload
    def on(self, cmd: str | int) -> Callable[[H], H]: ...

    def on(self, cmd: str | int | type[Event]) -> Callable[[Any], Any]:
        """Register the decorated function for one ``Cmd``.

        ``cmd`` is the ``Cmd`` as documented (``"End"``, ``67371107``, or its text) or an
        event class (``LessonEnd``; ``HandsUp`` gets only hands, not every Cmd 67375105
        event). A function may be sync or async; one ``Cmd`` may have several.

        Args:
            cmd: the ``Cmd``, or the event class whose ``Cmd`` to handle.

        Returns:
            A decorator that registers its function and returns it unchanged.

        Raises:
            InputTypeError: ``cmd`` is none of these.
            InputError: ``cmd`` is ``"Test"`` or :class:`RegistrationTest`: the receiver
                acks ClassIn's registration test itself, and no handler ever sees it.
        """
        kind: type[Event] | None = None
        if isinstance(cmd, type) and issubclass(cmd, Event) and cmd.CMD is not None:
            kind, text, shown = cmd, str(cmd.CMD), cmd.__name__
        elif isinstance(cmd, str | int) and not isinstance(cmd, bool) and str(cmd):
            text, shown = str(cmd), repr(cmd)
        else:
            message = f"on() takes a Cmd (str or int) or an event class, not {cmd!r}"
            raise InputTypeError(message)
        if text == RegistrationTest.CMD:
            message = (
                f"on({shown}): ClassIn's registration test is acked by the receiver itself"
                " and reaches no handler"
            )
            raise InputError(message)

        def register(func: Any) -> Any:
            self._add(_Handler(text, kind, func))
            return func

        return register

    def on_any(self, handler: H) -> H:
        """Register ``handler`` (sync or async) for every event, unknown ones included.

        Args:
            handler: called with each event, in registration order with the others.

        Returns:
            ``handler`` unchanged, so this works as a decorator.
        """
        self._add(_Handler(None, None, handler))
        return handler

    def _add(self, handler: _Handler) -> None:
        if not callable(handler.func):
            message = f"a handler must be callable, not {handler.func!r}"
            raise InputTypeError(message)
        self._handlers.append(handler)
        self._plans.clear()

    def _plan(self, event: Event) -> tuple[_Handler, ...]:
        key = (str(event.cmd), type(event))
        plan = self._plans.get(key)
        if plan is None:
            if len(self._plans) >= _PLANS_REMEMBERED:
                del self._plans[next(iter(self._plans))]
            plan = self._plans[key] = tuple(
                h
                for h in self._handlers
                if (h.cmd is None or h.cmd == key[0])
                and (h.kind is None or isinstance(event, h.kind))
            )
        return plan

    # ---------------------------------------------------------------- handling

    async def handle(self, body: bytes) -> Reply:
        """Answer one push: verify it, run its handlers once, record it, then ack.

        Args:
            body: the request body exactly as received.

        Returns:
            The reply to send: ``reply.status`` and ``reply.body`` (JSON,
            ``Reply.content_type``). Only an ok reply acks the push.
        """
        if len(body) > self.max_body:
            return self.too_large(len(body))
        doc = load(body)
        if doc is None:
            self.stats.malformed += 1
            logger.warning("refused a push (HTTP 400): the body is not a JSON object")
            return NOT_JSON
        refused = check(
            doc,
            sid=self.sid,
            secret=self._secret,
            max_age=self.max_age,
            now=self._clock,
            allow_unsigned=self.allow_unsigned,
        )
        if refused is not None:
            self.stats.refused += 1
            logger.warning(
                "refused a push (HTTP 403): %s; SID %s, Cmd %s, _id %s",
                refused.value,
                _shown(doc.get("SID")),
                _shown(doc.get("Cmd")),
                _shown(doc.get("_id")),
            )
            return FORBIDDEN
        if doc.get("Cmd") == RegistrationTest.CMD:
            self.stats.tests += 1
            logger.info("acked ClassIn's registration test")
            return ACK
        return await self._deliver(parse(doc))

    def too_large(self, size: int | None = None) -> Reply:
        """Count and log a push refused for its size; the 413 reply to send.

        The adapters call it when they stop reading a body that passed ``max_body``
        (``size`` is then what its ``Content-Length`` said, or None while streaming).

        Args:
            size: the body's size in bytes, if known.

        Returns:
            The 413 reply.
        """
        self.stats.too_large += 1
        shown = "of unknown size" if size is None else f"of {size} bytes"
        logger.warning("refused a push %s (HTTP 413): over %d", shown, self.max_body)
        return TOO_LARGE

    async def _deliver(self, event: Event) -> Reply:
        key = event.key
        # One handling per key at a time: a second push of the same message waits here,
        # then finds it recorded. No await between the check and the claim.
        while (running := self._running.get(key)) is not None:
            await running.wait()
        done = self._running[key] = asyncio.Event()
        try:
            plan = self._plan(event)
            # Without handlers, recording is the check: a key recorded before is no news.
            if plan:
                try:
                    seen = await self.store.seen(key)
                except Exception:
                    return self._store_failed(event)
                if seen:
                    self.stats.duplicates += 1
                    return ACK
            for handler in plan:
                try:
                    result = handler.func(event)
                    if inspect.isawaitable(result):
                        await result
                except Exception:
                    self._log_failure(event, handler)
                    return HANDLER_FAILED
            try:
                new = await self.store.record(event)
            except Exception:
                return self._store_failed(event)
            if not new:
                self.stats.duplicates += 1
                return ACK
            self._failures.pop(key, None)
            self.stats.acked += 1
            self.stats.by_cmd[str(event.cmd)] += 1
            return ACK
        finally:
            del self._running[key]
            done.set()

    def _store_failed(self, event: Event) -> Reply:
        self.stats.store_errors += 1
        logger.exception(
            "the store failed on Cmd %s, _id %s (HTTP 503; ClassIn will push it again)",
            _shown(event.cmd),
            _shown(event.id),
        )
        return STORE_FAILED

    def _log_failure(self, event: Event, handler: _Handler) -> None:
        self.stats.failed += 1
        times = self._failures.pop(event.key, 0) + 1
        self._failures[event.key] = times
        if len(self._failures) > _FAILURES_REMEMBERED:
            del self._failures[next(iter(self._failures))]
        logger.error(
            "handler %s failed on Cmd %s, _id %s (HTTP 500, %s; ClassIn will push it again)",
            _name(handler.func),
            _shown(event.cmd),
            _shown(event.id),
            "first failure" if times == 1 else f"failure {times} of this message",
            # The traceback once per message: a re-push every 10 s would repeat it for hours.
            exc_info=times == 1,
        )

    # ---------------------------------------------------------------- serving

    def aiohttp_app(self, path: str = "/") -> web.Application:
        """An aiohttp application answering POSTs at ``path`` with :meth:`handle`.

        The body is read in chunks and refused with 413 as soon as it passes
        ``max_body`` (or at once, from ``Content-Length``). The application closes the
        store on cleanup. Mount it with ``app.add_subapp`` or serve it as it is.

        Args:
            path: the route, e.g. ``"/classin"``.

        Returns:
            A new ``aiohttp.web.Application``.
        """
        return _adapters.aiohttp_app(self, path)

    def asgi_app(self) -> _adapters.ASGIApp:
        """An ASGI application answering POSTs with :meth:`handle`, for FastAPI or Starlette.

        Any path it is given is served (405 for other methods). In FastAPI,
        ``app.add_route("/classin", receiver.asgi_app(), methods=["POST"])`` serves the
        exact URL; ``app.mount("/classin", ...)`` serves ``/classin/`` (Starlette
        answers ``/classin`` with a redirect, which ClassIn does not follow). As the
        top-level application it closes the store at lifespan shutdown.

        Returns:
            An ASGI 3 application.
        """
        return _adapters.ASGIApp(self)

    async def close(self) -> None:
        """Close the store (pending commits finish first)."""
        await self.store.close()
