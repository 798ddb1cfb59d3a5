"""When a job stops early: the answers no item of the job can escape, and the rest's truth.

:class:`Watch` reads a job's answers for the ones that show the job itself is wrong. Which
answers those are is a property of their codes (``_codes``: ``Family.JOB_WIDE`` with the
value each code is ``about``, ``Family.NO_SUCH``, ``JOB_WIDE_STATUSES``) and of what the
job holds fixed (its course always, the student or lesson of a one-target job), so the
watch has no list of its own:

- a code about a value the job holds fixed, in a call's answer or in every item's: no
  such course (144), a deleted or expired course, a lesson that does not exist or is
  finished where the lesson is the job's one target, a student the school lacks where
  the student is; the job stops with one line naming the value;
- a code about no value (901, the API's maintenance): every call gets it until it ends;
- an HTTP status no call escapes (404, 405 ...): the base URL, or a proxy, is wrong;
- "no such" codes (142, 143, 228) for every item of the first answers, for several
  different values of one list (:data:`EVIDENCE`) while nothing was done: the list is
  wrong (two files swapped, a wrong column). The first answer that is anything else (an
  item done, a finished lesson, a bad parameter) ends this watch for good.

:class:`Stopping`, a part of the job, stops it and gives the items left their truth.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

from .._codes import DOCUMENTED, JOB_WIDE, JOB_WIDE_STATUSES, NO_SUCH, Errno, LocalErrno
from .._constants import LOGGER_NAME
from .._errors import ApiError, EEOError, HTTPStatusError
from .._models import ItemStatus
from .._wire.endpoint import Endpoint
from .plan import Target, list_name
from .report import FAILED, UNKNOWN, BatchReport, StopCause

_log = logging.getLogger(LOGGER_NAME)

#: Different values of one list refused by a "no such" code, every item of the first
#: answers, before a job stops as given a wrong list (or all of them, if fewer).
EVIDENCE: Final = 5
_EXAMPLES: Final = 3


@attrs.frozen
class Stop:
    """Why a job stops: its cause, one line of words, and the errno and value if any."""

    cause: StopCause
    reason: str
    errno: int | None = None
    #: The parameter whose value was refused (``"course_id"``), or the list's name.
    param: str | None = None
    #: The value, where the job held it fixed.
    value: int | None = None


def _meaning(code: Errno) -> str:
    text = code.meaning.rstrip(".")
    return text[:1].lower() + text[1:]


class Watch:
    """Reads a job's answers for one that shows the job itself is wrong (module docstring).

    Args:
        endpoint: the job's row.
        targets: the job's targets (what each series of calls holds fixed).
        where: the server's base URL, for the line about an HTTP status.
    """

    def __init__(self, endpoint: Endpoint, targets: Sequence[Target], where: str) -> None:
        self.endpoint = endpoint
        self.where = where
        first: Mapping[str, object] = targets[0].fixed if targets else {}
        #: Values the whole job holds fixed, by parameter name.
        self.fixed = {
            name: value
            for name, value in first.items()
            if all(target.fixed.get(name) == value for target in targets)
        }
        #: Still reading the first answers for a wrong list.
        self.looking = True
        self._refused: dict[tuple[int, str], set[object]] = {}
        longest = max((len(target.items) for target in targets), default=0)
        self._needed = {
            list_name(endpoint.target): min(EVIDENCE, len(targets)),
            list_name(endpoint.items): min(EVIDENCE, longest),
        }

    def call_error(self, exc: EEOError, fixed: Mapping[str, object]) -> Stop | None:
        """The stop a call's error calls for, if any; ``fixed`` is the call's target's."""
        if isinstance(exc, HTTPStatusError) and exc.status in JOB_WIDE_STATUSES:
            status = exc.status
            reason = (
                f"the server at {self.where} answered HTTP {status} "
                f"({JOB_WIDE_STATUSES[status]}) for {self.endpoint.action}: check the base "
                "URL (the scheme and host only, such as https://api.eeo.cn) and any proxy "
                "or firewall between"
            )
            return Stop("job_wide", reason, param="base_url")
        if not isinstance(exc, ApiError):
            return None  # no answer at all: says nothing about the job's values
        if exc.retryable:
            return None
        stop = self._refused_value(exc.errno, fixed)
        if stop is not None or not self.looking:
            return stop
        code = _documented(exc.errno)
        about = code.about if code is not None else ""
        if code is not None and code in NO_SUCH and about == self.endpoint.target:
            return self._evidence(code, about, [fixed.get(about)])
        self.looking = False  # a real answer about real values: the lists are not wrong
        return None

    def answered(
        self, statuses: Sequence[ItemStatus], items: Sequence[Any], fixed: Mapping[str, object]
    ) -> Stop | None:
        """The stop a call's per-item answers call for, if any."""
        first = statuses[0] if statuses else None
        alike = first is not None and (
            statuses.count(first) == len(statuses)
            or all(status.errno == first.errno for status in statuses)
        )
        if alike and first is not None and first.errno in JOB_WIDE:
            stop = self._refused_value(first.errno, fixed)
            if stop is not None:
                return stop
        if not self.looking:
            return None
        if alike and first is not None and first.errno in NO_SUCH:
            key = self.endpoint.items_kind.key
            code = Errno(first.errno)
            return self._evidence(code, self.endpoint.items or "", [key(i) for i in items])
        transient = self.endpoint.item_transient
        if not all(status.errno in transient for status in statuses):
            self.looking = False  # something was done, or refused for another reason
        return None

    def _refused_value(self, errno: int, fixed: Mapping[str, object]) -> Stop | None:
        """A stop for a JOB_WIDE code about no value, or about a value the job holds fixed."""
        code = _documented(errno)
        if code is None or code not in JOB_WIDE:
            return None
        if not code.about:
            reason = f"the API is in maintenance (errno {errno}): run the job again after it"
            return Stop("maintenance", reason, errno=errno)
        if code.about not in self.fixed:
            return None
        value = fixed.get(code.about, self.fixed[code.about])
        reason = f"{code.about} {value}: {_meaning(code)} (errno {errno})"
        number = value if isinstance(value, int) else None
        return Stop("job_wide", reason, errno=errno, param=code.about, value=number)

    def _evidence(self, code: Errno, name: str, values: Sequence[object]) -> Stop | None:
        """Count values of list ``name`` refused with ``code``; a stop once there are enough."""
        listed = list_name(name)
        seen = self._refused.setdefault((code, listed), set())
        seen.update(values)
        needed = self._needed.get(listed, EVIDENCE)
        if not needed or len(seen) < needed:
            return None
        examples = ", ".join(str(v) for v in sorted(seen, key=str)[:_EXAMPLES])
        reason = (
            f"{listed}: every item of the first answers was refused with errno {code} "
            f"({_meaning(code)}) for {len(seen)} different values (e.g. {examples}) and "
            "nothing was done: are two lists swapped, or is it a wrong column?"
        )
        return Stop("job_wide", reason, errno=int(code), param=listed)


def _documented(errno: int) -> Errno | None:
    return Errno(errno) if errno in DOCUMENTED else None


class Stopping:
    """The part of a job that stops it and gives every item left its truth."""

    report: BatchReport[Any]
    stopped: StopCause | None
    sleepers: set[asyncio.Task[None]]
    wake: asyncio.Event
    maybe_applied: set[int]
    attempts: dict[int, int]
    last: dict[int, tuple[int, str]]

    def _finish(
        self, rows: Sequence[int], errno: int, error: str, tries: int | list[int], code: int
    ) -> None:
        raise NotImplementedError

    def _stop(self, stop: Stop) -> None:
        """Stop sending: record why, cancel the waiting retries, wake the workers."""
        if self.stopped is not None:
            return
        self.stopped = stop.cause
        report = self.report
        report.stopped_by = stop.cause
        report.stop_reason = stop.reason
        report.stop_errno, report.stop_param, report.stop_value = stop.errno, stop.param, stop.value
        _log.warning("job stopped: %s", stop.reason)
        for task in list(self.sleepers):
            task.cancel()
        self.wake.set()

    def finish_unsent(self, cause: StopCause, reason: str) -> None:
        """Give every item without an outcome its truth after a stop.

        An item waiting to be sent again ends with its last answer (unknown if an
        attempt may have applied it); one cut off in flight is unknown; the rest were
        never sent.
        """
        if self.report.stopped_by is None:
            self.report.stopped_by = cause
            self.report.stop_reason = reason
        pending = self.report.pending_rows()
        attempts, last, maybe = self.attempts, self.last, self.maybe_applied
        answered: dict[tuple[int, str, bool], list[int]] = {}
        cut, unsent = [], []
        for row in pending:
            answer = last.get(row)
            if answer is not None:
                answered.setdefault((*answer, row in maybe), []).append(row)
            elif row in maybe:
                cut.append(row)
            else:
                unsent.append(row)
        for (errno, error, unsure), rows in answered.items():
            self._finish(
                rows,
                errno,
                f"{error} (not sent again: the job stopped: {reason})",
                [attempts[row] for row in rows],
                UNKNOWN if unsure else FAILED,
            )
        self._finish(
            cut,
            LocalErrno.TRANSPORT_FAILED,
            f"Cut off in flight: the job stopped ({reason}); the server may have acted.",
            [attempts.get(row, 1) for row in cut],
            UNKNOWN,
        )
        self._finish(
            unsent,
            LocalErrno.NOT_SENT,
            f"Not sent: the job stopped ({reason}).",
            [attempts.get(row, 0) for row in unsent],
            FAILED,
        )
