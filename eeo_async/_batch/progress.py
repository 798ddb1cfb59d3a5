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

from .._codes import LocalErrno
from .view import Counts

#: Least seconds between two updates of a notebook's progress line (the last is not held).
INTERVAL = 0.25


class Progress:
    """Counts a job's items as they finish; subclasses show the count somewhere.

    Args:
        total: items in the job.
        operation: the job's operation, e.g. ``"enroll"``.
    """

    def __init__(self, total: int, operation: str) -> None:
        self.total = total
        self.operation = operation
        self.done = 0

    def update(self, count: int) -> None:
        """Count ``count`` more items done."""
        self.done += count

    def close(self, report: Counts | None = None) -> None:
        """Show the final state: from ``report`` when given, else the count so far."""

    def line(self, report: Counts | None = None) -> tuple[int, str]:
        """Items done and ``done/total items (P%)``; with ``report``, the job's final line.

        A job that stopped early is not shown as done: its items never sent (and any
        without an outcome) do not count, and its outcome counts and reason follow.
        """
        done = self.done
        tail = ""
        if report is not None:
            done = report.total - report.pending
            if report.stopped_by is not None:
                done -= report.errno_counts.get(LocalErrno.NOT_SENT, 0)
            tail = (
                f" in {report.elapsed:.2f} s: {report.succeeded} succeeded, "
                f"{report.already} already, {report.failed} failed, {report.unknown} unknown"
            )
            if report.stop_reason:
                tail += f"; stopped early: {report.stop_reason}"
        percent = done * 100 // self.total if self.total else 100
        return done, f"{done}/{self.total} items ({percent}%){tail}"


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
    """

    def __init__(
        self,
        total: int,
        operation: str,
        display: Callable[..., Any],
        *,
        clock: Callable[[], float] = time.monotonic,
        interval: float = INTERVAL,
    ) -> None:
        super().__init__(total, operation)
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
    """A tqdm bar on stderr whose last state is the job's truth.

    Args:
        total: items in the job.
        operation: the job's operation.
        tqdm: the ``tqdm.std.tqdm`` class.
    """

    def __init__(self, total: int, operation: str, tqdm: Callable[..., Any]) -> None:
        super().__init__(total, operation)
        self._bar = tqdm(total=total, desc=operation, unit="item", file=sys.stderr)

    def update(self, count: int) -> None:
        """Count ``count`` more items done and move the bar."""
        self.done += count
        self._bar.update(count)

    def close(self, report: Counts | None = None) -> None:
        """Set the bar to the items done (not those never sent) with the counts; close it."""
        if report is not None:
            done, _ = self.line(report)
            self._bar.n = done
            self._bar.set_postfix_str(
                f"{report.succeeded} succeeded, {report.already} already, "
                f"{report.failed} failed, {report.unknown} unknown"
                + (f", stopped early ({report.stopped_by})" if report.stopped_by else ""),
                refresh=False,
            )
        self._bar.close()


class PlainProgress(Progress):
    """A line on stderr every 10% while the job runs, and its final line at the end."""

    def __init__(self, total: int, operation: str) -> None:
        super().__init__(total, operation)
        self._step = -1

    def update(self, count: int) -> None:
        """Count ``count`` more items done; print a line at each new 10%, short of the end."""
        self.done += count
        step = self.done * 10 // max(self.total, 1)
        if step > self._step and self.done < self.total:
            self._step = step
            _print(self.line()[1])

    def close(self, report: Counts | None = None) -> None:
        """Print the final line."""
        _print(self.line(report)[1])


def _print(text: str) -> None:
    print(f"progress: {text}", file=sys.stderr)


def open_progress(total: int, operation: str) -> Progress:
    """The progress display for a job starting now, as the module's docstring says."""
    display = notebook_display()
    if display is not None:
        return NotebookProgress(total, operation, display)
    try:
        from tqdm.std import tqdm  # noqa: PLC0415 - optional dependency
    except ImportError:
        return PlainProgress(total, operation)
    return TqdmProgress(total, operation, tqdm)


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
