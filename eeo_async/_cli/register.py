"""The ``register`` command: accounts from a file, registered 10 a call, their UIDs out."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from .._batch.batcher import Batcher
from .._batch.plan import plan
from .._batch.report import BatchReport
from .._constants import MAX_CHUNK_SIZE
from .accounts import read_accounts
from .base import (
    EXIT_OK,
    EXIT_TERMINATED,
    _client,
    _credential_options,
    _err,
    _file_options,
    _Usage,
    _warn,
    job_options,
)
from .ending import Signals, finish, progress_options
from .files import FILES


def _register_options(sub: argparse.ArgumentParser) -> None:
    _credential_options(sub, course=False)
    sub.add_argument(
        "--accounts",
        type=Path,
        required=True,
        metavar="FILE",
        help=f"accounts: {FILES}, its header naming telephone or email, password or "
        "md5_password, optionally nickname, add_to_school and custom_column (or the docs' names)",
    )
    _file_options(sub)
    job_options(sub, pace=False, journal=None)
    sub.add_argument(
        "--uids",
        type=Path,
        metavar="FILE",
        help="write account,uid per registered account here (the next job's students file)",
    )


def _register(args: argparse.Namespace) -> int:
    users = read_accounts(args.accounts, sheet=args.sheet, encoding=args.encoding, warn=_warn)
    for path in (args.report, args.uids):
        if path is not None and not path.parent.is_dir():
            message = f"cannot write {path}: no directory {path.parent}"
            raise _Usage(message)
    if args.dry_run:
        planned = plan("register", {"users": users}, MAX_CHUNK_SIZE)
        print(
            f"dry run: register would send {planned.items} accounts in {planned.calls} calls "
            f"({planned.duplicates} repeated accounts dropped); nothing was sent"
        )
        return EXIT_OK
    try:
        return asyncio.run(_register_accounts(args, users))
    except asyncio.CancelledError:  # SIGTERM before the job started: nothing sent
        _err("terminated (SIGTERM) before anything was sent")
        return EXIT_TERMINATED


async def _register_accounts(args: argparse.Namespace, users: list[Any]) -> int:
    """Register the accounts; re-running the same file is safe (135/461 give the UID)."""
    live: list[BatchReport[Any]] = []
    interrupted = None
    with Signals() as signals:
        async with _client(args) as client:
            bar, on_progress = progress_options(args, live)
            batcher = Batcher(
                client,
                concurrency=args.concurrency,
                max_attempts=args.max_attempts,
                on_progress=on_progress,
                probe_first=True,
            )
            try:
                report: BatchReport[Any] = await batcher.register(
                    users, progress=bar, on_start=live.append
                )
            except asyncio.CancelledError:
                if not live:
                    raise
                report, interrupted = live[0], signals.interrupted(live[0])
    if args.uids is not None:
        rows = [
            f"{account},{item.uid}\n"
            for account, item in report.items.items()
            if item.ok and item.uid is not None
        ]
        try:
            args.uids.write_text("account,uid\n" + "".join(rows), encoding="utf-8")
        except OSError as exc:
            message = f"cannot write {args.uids}: {exc.strerror or exc}"
            raise _Usage(message) from None
        print(f"{len(rows)} UIDs written to {args.uids}")
    flags = {"users": f"--accounts {args.accounts}"}
    return finish(
        report,
        args,
        base_url=client.base_url,
        flags=flags,
        plain=on_progress is not None,
        exit_code=interrupted,
    )
