"""How a job ends in the command: signals, progress lines, the summary, the exit code.

SIGTERM (what ``kill``, systemd, Docker and CI send) is handled like Ctrl-C: the job is
cancelled, so the Batcher marks the items it never sent, the journal keeps what was done
and ``--report`` gets the partial report; the exit code is 143 (130 for Ctrl-C). A job
that stopped early (credentials, the server unreachable or in maintenance, an answer no
item of the job can escape, an interruption) prints a brief summary and one line saying
what stopped it, in the command's own words (``--course 176465: there is no such
course ...``); a job that ran to its end prints the whole summary.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import FrameType
from typing import Any

from .._batch.progress import final_line, running_line
from .._batch.report import BatchReport
from .._batch.view import WIDTH, fit
from .base import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    STOP_EXITS,
    _err,
)


class Signals:
    """While entered, SIGTERM cancels the running task, as Ctrl-C does (asyncio's own).

    ``exit_code`` then says which one came: 143 for SIGTERM, 130 for Ctrl-C.
    """

    def __init__(self) -> None:
        self.terminated = False
        self._task: asyncio.Task[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handled = False
        self._previous: Any = None

    def __enter__(self) -> Signals:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        try:
            self._loop.add_signal_handler(signal.SIGTERM, self._terminate)
            self._handled = True
        except NotImplementedError:  # Windows: a plain handler that wakes the loop
            self._previous = signal.signal(signal.SIGTERM, self._on_signal)
        except RuntimeError:  # not the main thread: signals are not ours to handle
            pass
        return self

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._terminate)

    def _terminate(self) -> None:
        if not self.terminated and self._task is not None:
            self.terminated = True
            self._task.cancel()

    def __exit__(self, *exc: object) -> None:
        if self._handled and self._loop is not None:
            self._loop.remove_signal_handler(signal.SIGTERM)
        elif self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)

    @property
    def exit_code(self) -> int:
        """143 after SIGTERM, else 130 (Ctrl-C)."""
        return EXIT_TERMINATED if self.terminated else EXIT_INTERRUPTED

    def interrupted(self, report: BatchReport[Any]) -> int:
        """Take the cancellation back after a job ended by a signal; its exit code.

        The job's report already marks the items it never sent; this names the signal.
        """
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()
        report.stop_reason = "terminated (SIGTERM)" if self.terminated else "interrupted (Ctrl-C)"
        return self.exit_code


def progress_options(
    args: argparse.Namespace, live: list[BatchReport[Any]]
) -> tuple[bool, Callable[[int, int], None] | None]:
    """(bar, plain-lines callback): the Batcher's bar on a terminal, plain lines elsewhere.

    On a terminal without tqdm (an optional extra) the Batcher prints plain lines itself.
    Plain lines show the failure counts of the live report (``live``, filled by
    ``on_start``) once there are any.
    """
    if args.progress is False:
        return False, None
    if sys.stderr.isatty():
        return True, None
    return False, _plain_progress(live)


def _plain_progress(live: list[BatchReport[Any]]) -> Callable[[int, int], None]:
    """Progress as a line on stderr every 10% or 5 seconds (for cron and logs).

    The last line is left to the job's end (:func:`finish`): a job that stops early
    marks the rest not sent at once, which is no "100%".
    """
    state = {"step": 0, "at": time.monotonic()}

    def show(done: int, total: int) -> None:
        step = done * 10 // max(total, 1)
        now = time.monotonic()
        if done < total and (step > state["step"] or now - state["at"] >= 5):
            state["step"], state["at"] = step, now
            text = running_line(done, total, live[0] if live else None)
            _err(fit(f"progress: {text}", WIDTH))

    return show


def write_report(report: BatchReport[Any], path: Path | None) -> bool:
    """Write ``report`` to ``path`` (CSV with a BOM for ``.csv``, else JSON), if given.

    A report that cannot be written is said on stderr; the job's exit code stays its
    own (what was sent is in the journal, if any). False then.
    """
    if path is None:
        return True
    try:
        if path.suffix.lower() == ".csv":
            # With a BOM, Excel shows the Chinese messages right; utf-8-sig reads both.
            report.to_csv(path, bom=True)
        else:
            report.write_json(path)  # streamed: a report of millions fits
    except OSError as exc:
        _cannot_write(f"the report {path}", exc)
        return False
    print(f"report written to {path}")
    return True


def write_output(path: Path, flag: str, text: str, *, encoding: str = "utf-8") -> bool:
    """Write a job's output file whole (a temporary file renamed over it), after the job.

    As for the report, a file that cannot be written is said on stderr and leaves the
    job's exit code alone. False then.
    """
    temporary = path.with_name(path.name + ".tmp")
    try:
        temporary.write_text(text, encoding=encoding)
        temporary.replace(path)
    except OSError as exc:
        _cannot_write(f"{flag} {path}", exc)
        return False
    return True


def _cannot_write(what: str, exc: OSError) -> None:
    _err(
        f"error: cannot write {what}: {exc.strerror or exc}; the exit code is the job's own "
        "(what was sent is in the journal, if any)"
    )


def finish(
    report: BatchReport[Any],
    args: argparse.Namespace,
    *,
    base_url: str,
    flags: Mapping[str, str],
    plain: bool,
    exit_code: int | None = None,
) -> int:
    """Print the summary (brief after a stop), write the report, say what stopped it.

    Args:
        report: the job's report.
        args: the command's options (``--report``).
        base_url: the server the job used.
        flags: the option of each parameter a stop may name (``course_id`` ->
            ``--course``), for the stop line.
        plain: print the final plain progress line (no bar was shown).
        exit_code: the exit code of an interruption (130 or 143), if it was one.
    """
    if plain:
        text = final_line(report)[1]
        if report.stopped_by is not None:
            text += f"; stopped ({report.stopped_by})"
        _err(fit(f"progress: {text}", WIDTH))
    print(report.summary(brief=report.stopped_by is not None))
    write_report(report, args.report)
    return _exit(report, base_url, flags, exit_code)


def _exit(
    report: BatchReport[Any], base_url: str, flags: Mapping[str, str], exit_code: int | None
) -> int:
    """Print the stop line of a job that stopped early; the exit code of any job."""
    cause = report.stopped_by
    if exit_code is not None or cause == "interrupted":
        _err(
            f"{report.stop_reason or 'interrupted'}: finished items are in the journal "
            "(if any) and the report; run the same command again to resume"
        )
        return exit_code if exit_code is not None else EXIT_INTERRUPTED
    if cause is None:
        return EXIT_OK if report.ok else EXIT_FAILED
    reason = report.stop_reason or str(cause)
    if cause == "unreachable" and base_url not in reason:
        reason = f"the server at {base_url} cannot be reached: {reason}"
    param = report.stop_param
    if param is not None and param in flags:
        # The parameter as the person gave it: --course, --lessons FILE ...
        reason = reason.replace(param, flags[param])
    _err(f"error: {reason}")
    return STOP_EXITS.get(cause, EXIT_FAILED)
