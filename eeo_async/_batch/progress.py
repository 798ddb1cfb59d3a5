"""A job's progress: a line updated in place in a notebook, else tqdm or plain lines.

:func:`open_progress` picks the display when a job starts with ``progress=True``:

- in a Jupyter kernel, one display (``IPython.display.display(..., display_id=True)``)
  with an HTML ``<progress>`` line and a text one, updated in place at most every
  :data:`INTERVAL` seconds and, when the job ends, once more with its final state and
  outcome counts; a saved notebook keeps that final state, and no ipywidgets are needed;
- elsewhere, a tqdm bar on stderr when tqdm is installed (``tqdm.std``: never a widget);
- else a plain line on stderr every 10% and one at the end.

IPython is never imported here: a kernel is recognised only when the running program
has imported IPython already and its shell is a kernel's.
"""

from __future__ import annotations

import html
import importlib
import sys
import time
from collections.abc import Callable
from typing import Any

from .view import WIDTH, Counts, fit

#: Least seconds between two updates of a notebook's progress line (the last is not held).
INTERVAL = 0.25


class Progress:
    """Counts a job's items as they finish; subclasses show the count somewhere.

    Args:
        total: items in the job.
        operation: the job's operation, e.g. ``"enroll"``.
        counts: the job's live report, whose failure counts the running line shows.
    """

    def __init__(self, total: int, operation: str, counts: Counts | None = None) -> None:
        self.total = total
        self.operation = operation
        self.counts = counts
        self.done = 0

    def update(self, count: int) -> None:
        """Count ``count`` more items done."""
        self.done += count

    def close(self, report: Counts | None = None) -> None:
        """Show the final state: from ``report`` when given, else the count so far."""

    def line(self, report: Counts | None = None) -> tuple[int, str]:
        """Items done and ``done/total items (P%)``; with ``report``, the job's final line.

        While the job runs, its failure counts follow once there are any. A job that
        stopped early is not shown as done: its items never sent (and any without an
        outcome) do not count, and its counts, failures first, and reason follow.
        """
        if report is None:
            return self.done, running_line(self.done, self.total, self.counts)
        done, text = final_line(report)
        reason = f"; stopped early: {report.stop_reason}" if report.stop_reason else ""
        return done, text + reason


def running_line(done: int, total: int, counts: Counts | None = None) -> str:
    """``done/total items (P%)``, then the failure counts that are not zero."""
    percent = done * 100 // total if total else 100
    text = f"{done}/{total} items ({percent}%)"
    if counts is not None:
        failures = _failures(counts, zeros=False)
        if failures:
            text += ", " + failures
    return text


def final_line(report: Counts) -> tuple[int, str]:
    """Items done and ``done/total items (P%) in T s: F failed[, U unknown, N not sent], K ok``.

    Failures come first so a line cut at a terminal's width keeps them; the items never
    sent (and any without an outcome) do not count as done.
    """
    done = report.total - report.pending - report.not_sent
    total = report.total
    percent = done * 100 // total if total else 100
    ok = report.succeeded + report.already
    return done, (
        f"{done}/{total} items ({percent}%) in {report.elapsed:.2f} s: "
        f"{_failures(report, zeros=True)}, {ok} ok"
    )


def _failures(counts: Counts, *, zeros: bool) -> str:
    """``F failed, U unknown, N not sent``: those not zero (and, with ``zeros``, failed)."""
    parts = [(counts.failed, "failed"), (counts.unknown, "unknown"), (counts.not_sent, "not sent")]
    return ", ".join(f"{n} {name}" for n, name in parts if n or (zeros and name == "failed"))


class _Line:
    """What a notebook displays: an HTML ``<progress>`` line, and the same as text."""

    __slots__ = ("done", "text", "total")

    def __init__(self, done: int, total: int, text: str) -> None:
        self.done = done
        self.total = total
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        high = max(self.total, 1)
        value = min(self.done, high) if self.total else high
        return (
            f'<div class="eeo-progress"><progress value="{value}" max="{high}"></progress> '
            f"<span>{html.escape(self.text)}</span></div>"
        )


class NotebookProgress(Progress):
    """A line in a notebook's output, updated in place, ending on the job's final state.

    Args:
        total: items in the job.
        operation: the job's operation.
        display: ``IPython.display.display``; called once, with ``display_id=True``.
        clock: seconds for the throttle (``time.monotonic``).
        interval: least seconds between two updates while the job runs.
        counts: the job's live report, for the failure counts while it runs.
    """

    def __init__(
        self,
        total: int,
        operation: str,
        display: Callable[..., Any],
        *,
        clock: Callable[[], float] = time.monotonic,
        interval: float = INTERVAL,
        counts: Counts | None = None,
    ) -> None:
        super().__init__(total, operation, counts)
        self._clock = clock
        self._interval = interval
        self._handle = display(self._view(), display_id=True)
        self._shown = clock()

    def _view(self, report: Counts | None = None) -> _Line:
        done, text = self.line(report)
        return _Line(done, self.total, f"{self.operation}: {text}")

    def update(self, count: int) -> None:
        """Count ``count`` more items done; show it unless the line changed just now."""
        self.done += count
        now = self._clock()
        if now - self._shown >= self._interval:
            self._shown = now
            self._handle.update(self._view())

    def close(self, report: Counts | None = None) -> None:
        """Show the final state at once, whatever the throttle."""
        self._handle.update(self._view(report))


class TqdmProgress(Progress):
    """A tqdm bar on stderr whose last state is the job's truth, failures first.

    The failure counts stand at the start of the line, before the bar, so a terminal of
    80 columns shows them (tqdm cuts a line at the terminal's width from its end).

    Args:
        total: items in the job.
        operation: the job's operation.
        tqdm: the ``tqdm.std.tqdm`` class (or a function taking its arguments).
        counts: the job's live report, for the failure counts while it runs.
    """

    #: The operation and failure counts, the bar, then the counts tqdm keeps.
    FORMAT = (
        "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}{postfix}]"
    )

    def __init__(
        self,
        total: int,
        operation: str,
        tqdm: Callable[..., Any],
        counts: Counts | None = None,
    ) -> None:
        super().__init__(total, operation, counts)
        self._bar = tqdm(
            total=total, desc=operation, unit="item", file=sys.stderr, bar_format=self.FORMAT
        )
        self._desc = operation

    def _describe(self, counts: Counts | None, stopped: object = None) -> None:
        failures = _failures(counts, zeros=stopped is not None) if counts is not None else ""
        desc = f"{self.operation} ({failures})" if failures else self.operation
        if stopped is not None:
            desc = f"{desc}, stopped ({stopped})"
        if desc != self._desc:
            self._desc = desc
            self._bar.set_description_str(desc, refresh=False)

    def update(self, count: int) -> None:
        """Count ``count`` more items done and move the bar, with the failures so far."""
        self.done += count
        self._describe(self.counts)
        self._bar.update(count)

    def close(self, report: Counts | None = None) -> None:
        """Set the bar to the items done (not those never sent) with the counts; close it."""
        if report is not None:
            done, _ = final_line(report)
            self._bar.n = done
            self._describe(report, report.stopped_by)
            self._bar.set_postfix_str(f"{report.succeeded + report.already} ok", refresh=False)
        self._bar.close()


class PlainProgress(Progress):
    """A line on stderr every 10% while the job runs, and its final line at the end.

    Every line fits in :data:`~eeo_async._batch.view.WIDTH` (80) columns, failures first.
    """

    def __init__(self, total: int, operation: str, counts: Counts | None = None) -> None:
        super().__init__(total, operation, counts)
        self._step = -1

    def update(self, count: int) -> None:
        """Count ``count`` more items done; print a line at each new 10%, short of the end."""
        self.done += count
        step = self.done * 10 // max(self.total, 1)
        if step > self._step and self.done < self.total:
            self._step = step
            _print(self.line()[1])

    def close(self, report: Counts | None = None) -> None:
        """Print the final line: the counts, and what stopped the job, if anything did."""
        if report is None:
            _print(self.line()[1])
            return
        text = final_line(report)[1]
        if report.stopped_by is not None:
            text += f"; stopped ({report.stopped_by})"
        _print(text)


def _print(text: str) -> None:
    print(fit(f"progress: {text}", WIDTH), file=sys.stderr)


def open_progress(total: int, operation: str, counts: Counts | None = None) -> Progress:
    """The progress display for a job starting now, as the module's docstring says.

    ``counts`` is the job's live report: running lines show its failure counts.
    """
    display = notebook_display()
    if display is not None:
        return NotebookProgress(total, operation, display, counts=counts)
    try:
        from tqdm.std import tqdm  # noqa: PLC0415 - optional dependency
    except ImportError:
        return PlainProgress(total, operation, counts)
    return TqdmProgress(total, operation, tqdm, counts)


def notebook_display() -> Callable[..., Any] | None:
    """``IPython.display.display`` when running in a Jupyter kernel, else ``None``.

    Only an IPython the program imported already is looked at: this never imports it.
    """
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    if get_ipython is None:
        return None
    shell = get_ipython()
    if shell is None or not _is_kernel(shell):
        return None
    try:
        display: Callable[..., Any] = importlib.import_module("IPython.display").display
    except (ImportError, AttributeError):
        return None
    return display


def _is_kernel(shell: object) -> bool:
    """True for a Jupyter kernel's shell (not a terminal IPython)."""
    if any(cls.__name__ == "ZMQInteractiveShell" for cls in type(shell).__mro__):
        return True
    try:
        return "IPKernelApp" in getattr(shell, "config", ())
    except TypeError:
        return False
