"""How the command runs a Batcher job: one frame shared by every job command.

:func:`run_job` runs a command's coroutine; a SIGTERM that comes before the job started
ends it with exit 143 and one line. :func:`run_batch` is what every job does around its
own work: SIGTERM handled like Ctrl-C, the client, progress, a Batcher that probes
first, the journal (``--journal``), and the partial report of a job a signal cut short.
The job itself, given a :class:`Batch`, reads the journal's finished items
(:meth:`Batch.skip`) and runs a Batcher verb with progress and journal wired in
(:meth:`Batch.send`); :meth:`Ran.finish` then prints the summary and gives the exit code.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

import attrs

from .._api.client import Client
from .._batch.batcher import Batcher
from .._batch.job import OnItems
from .._batch.report import BatchReport
from .._models import ItemResult
from .base import EXIT_FAILED, EXIT_TERMINATED, _client, _err, _Usage
from .ending import Signals, finish, progress_options
from .journal import Journal


def run_job(job: Coroutine[Any, Any, int]) -> int:
    """Run a job command's coroutine; its exit code (143 after a SIGTERM before it started)."""
    try:
        return asyncio.run(job)
    except asyncio.CancelledError:  # SIGTERM before the job started: nothing sent
        _err("terminated (SIGTERM) before anything was sent")
        return EXIT_TERMINATED


@attrs.define
class Batch:
    """A job while it runs: its client, Batcher, journal (if any) and live report."""

    args: argparse.Namespace
    client: Client
    batcher: Batcher
    journal: Journal | None
    bar: bool
    live: list[BatchReport[Any]]

    def skip(
        self, unsure: Mapping[Any, ItemResult] | None, *, pairs: bool
    ) -> Mapping[Any, ItemResult] | None:
        """The outcomes the job does not send again: the journal's, or else ``unsure``.

        ``unsure`` (a saved report's unknown items, for ``--only-failed``) is committed
        to the journal as possibly applied first. The journal's items are streamed from
        the file as the job reads them: none is held.
        """
        journal = self.journal
        if journal is None:
            return unsure
        if unsure:
            journal.possibly_applied(unsure)
        done = journal.count(done=True)
        if done:
            _err(f"journal {journal.path}: {done} items already done, skipped")
        return journal.finished(pairs=pairs)

    async def send(
        self,
        verb: str,
        *arguments: Any,
        skip: Mapping[Any, ItemResult] | None = None,
        on_items: OnItems | None = None,
        **keywords: Any,
    ) -> BatchReport[Any]:
        """Run the Batcher's ``verb``; each outcome goes to ``on_items`` (default: the journal).

        With a journal, each call's items are committed as possibly applied before the
        call goes out, so a kill never turns this run's own work into "already".
        """
        journal = self.journal
        if on_items is None and journal is not None:
            on_items = journal.record
        report: BatchReport[Any] = await getattr(self.batcher, verb)(
            *arguments,
            **keywords,
            progress=self.bar,
            skip=skip,
            on_items=on_items,
            on_sending=journal.sending if journal is not None else None,
            on_start=self.live.append,
        )
        return report


@attrs.frozen
class Ran:
    """A job that ran: its report, its server, how it ended."""

    report: BatchReport[Any]
    base_url: str
    #: Plain progress lines were shown (no bar): the job's end prints the last one.
    plain: bool
    #: The exit code of a signal that ended it (130 or 143), if one did.
    interrupted: int | None

    def finish(self, args: argparse.Namespace, flags: Mapping[str, str]) -> int:
        """Print the summary, write ``--report``, say what stopped the job; its exit code."""
        return finish(
            self.report,
            args,
            base_url=self.base_url,
            flags=flags,
            plain=self.plain,
            exit_code=self.interrupted,
        )


async def run_batch(
    args: argparse.Namespace,
    job: Callable[[Batch], Awaitable[BatchReport[Any]]],
    *,
    identity: Callable[[Client], dict[str, Any]] | None = None,
) -> Ran:
    """Run ``job`` in the frame every job command shares (module docstring).

    Args:
        args: the command's options (credentials, ``--concurrency``, ``--adaptive``,
            ``--max-per-second``, ``--max-attempts``, ``--progress``, ``--journal``).
        job: the job's own work, given the running :class:`Batch`; its report.
        identity: the journal's identity of this job, from the client (school, server),
            for ``--journal``; a command without a journal gives none.

    Raises:
        _Usage: the journal could not be written once the job had started (exit 1:
            what was sent may have been applied).
    """
    live: list[BatchReport[Any]] = []
    interrupted = None
    with Signals() as signals:
        async with _client(args) as client:
            bar, on_progress = progress_options(args, live)
            batcher = Batcher(
                client,
                concurrency=args.concurrency,
                adaptive=args.adaptive,
                max_attempts=args.max_attempts,
                on_progress=on_progress,
                probe_first=True,
            )
            path = getattr(args, "journal", None)
            journal = None
            if path is not None and identity is not None:
                journal = Journal(path, identity(client))
            try:
                report = await job(Batch(args, client, batcher, journal, bar, live))
            except asyncio.CancelledError:
                if not live:
                    raise
                # Ctrl-C or SIGTERM: the Batcher marked the items it never sent.
                report, interrupted = live[0], signals.interrupted(live[0])
            except sqlite3.Error as exc:
                if not live:
                    raise  # nothing was sent
                message = (
                    f"the journal {path} cannot be written: {exc}; what was sent may have "
                    "been applied: fix the cause and run the same command again"
                )
                raise _Usage(message, EXIT_FAILED) from None
            finally:
                if journal is not None:
                    journal.close()
    return Ran(report, client.base_url, on_progress is not None, interrupted)
