"""``eeo_async.Batcher``: the engine composed with every area's named verbs."""

from __future__ import annotations

from .activities import ActivityVerbs
from .enrolment import EnrolmentVerbs
from .lessons import LessonVerbs
from .people import PeopleVerbs


class Batcher(
    EnrolmentVerbs,
    ActivityVerbs,
    LessonVerbs,
    PeopleVerbs,
):
    """Runs any number of items through a ``Client`` in chunks, concurrently, with retries.

    Items are validated (all of them, before anything is sent) and de-duplicated, split
    into calls within the action's item limit (and ``chunk_size``) and sent by
    ``concurrency`` workers, so never more than ``concurrency`` requests are in flight.
    Each call is signed afresh.

    Retries follow the README's errno table: a call that fails transiently is retried
    whole; an item whose own errno is transient (114, 464) is retried alone, pooled with
    other retried items of the same target. Waits back off exponentially with jitter
    (``Retry-After`` is honoured) and hold no concurrency slot. Each item's outcome is
    true: ``already`` only when no earlier attempt of this job could have applied it,
    ``unknown`` when an attempt may have been applied but no answer said so.

    A job stops early, sends nothing more and waits for nothing, on errno 102
    (``report.stopped_by == "credentials"``), when the server cannot be reached and
    nothing was answered yet (``"unreachable"``), or at its ``deadline``; items never
    sent are ``LocalErrno.NOT_SENT``. A job never raises because items failed: read
    the report, or call ``report.raise_for_failures()``.

    With ``adaptive`` (the default), ``concurrency`` is a ceiling and the number of
    requests in flight follows the server: busy answers (114, 104, 460, 464, HTTP 429
    and 503 for a call; 114 and 464 for items, weighted by their share) lower it, calls
    that go through raise it back, one more per round trip. The limit is the Client's,
    shared by every adaptive job on it, so jobs running at once back off together.
    While the limit (above 1) is what holds the job back, a busy answer's retry waits
    only as long as the server asked (``Retry-After``): the lowered limit keeps the load
    down. Without busy answers it stays at the ceiling. ``report.concurrency`` and
    ``report.busy_calls`` say how the job ran; :attr:`current_concurrency` is the limit
    now (e.g. from ``on_progress``).

    Args:
        client: the ``Client`` to send with.
        concurrency: most requests in flight at once (the client's own connection pool
            grows to it; a borrowed session's pool is the caller's); with ``adaptive``,
            the ceiling of the limit.
        adaptive: let the limit follow the server's busy answers (``False``: always
            ``concurrency`` in flight, as long as there is work).
        chunk_size: most items in one call (1 to 100; the action's own limit applies).
        max_attempts: attempts per item, the first one included (default: the client's).
        initial_backoff: first wait before a retry in seconds (default: the client's).
        max_backoff: longest wait before a retry in seconds (default: the client's).
        on_progress: called as ``on_progress(done, total)`` whenever items finish.
        deadline: seconds for a whole job; when it passes, in-flight calls are cancelled
            and items without an outcome are reported ``LocalErrno.NOT_SENT`` (or
            ``unknown`` if they were in flight).
        probe_first: send the first call alone and only then the rest, so wrong
            credentials cost one request (the command does this).

    Raises:
        InputError: a setting out of range.
    """
