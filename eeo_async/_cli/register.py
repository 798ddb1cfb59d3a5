"""The ``register`` command: accounts from a file, registered 10 a call, their UIDs out."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .._batch.plan import plan
from .._batch.report import BatchReport
from .._constants import MAX_CHUNK_SIZE
from .accounts import read_accounts
from .base import (
    EXIT_OK,
    _check_output,
    _credential_options,
    _file_options,
    _warn,
    job_options,
)
from .ending import write_output
from .files import FILES
from .running import Batch, run_batch, run_job


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
    job_options(sub, per_call="; 10 accounts a call", journal=None)
    sub.add_argument(
        "--uids",
        type=Path,
        metavar="FILE",
        help="write account,uid per registered account here (the next job's students file)",
    )


def _register(args: argparse.Namespace) -> int:
    _check_output(args.report, "--report")
    _check_output(args.uids, "--uids")
    users = read_accounts(args.accounts, sheet=args.sheet, encoding=args.encoding, warn=_warn)
    if args.dry_run:
        planned = plan("register", {"users": users}, MAX_CHUNK_SIZE)
        print(
            f"dry run: register would send {planned.items} accounts in {planned.calls} calls "
            f"({planned.duplicates} repeated accounts dropped); nothing was sent"
        )
        return EXIT_OK
    return run_job(_register_accounts(args, users))


async def _register_accounts(args: argparse.Namespace, users: list[Any]) -> int:
    """Register the accounts; re-running the same file is safe (135/461 give the UID)."""

    async def send(batch: Batch) -> BatchReport[Any]:
        return await batch.send("register", users)

    ran = await run_batch(args, send)
    if args.uids is not None:
        rows = [
            f"{account},{item.uid}\n"
            for account, item in ran.report.items.items()
            if item.ok and item.uid is not None
        ]
        if write_output(args.uids, "--uids", "account,uid\n" + "".join(rows)):
            print(f"{len(rows)} UIDs written to {args.uids}")
    return ran.finish(args, {"users": f"--accounts {args.accounts}"})
