"""The ``eeo-async`` bulk jobs.

Input files (or a saved report) in, a Batcher job with its journal, a report and an exit
code out; and ``register`` from a file of accounts.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

from .._batch.batcher import Batcher
from .._batch.plan import plan
from .._batch.report import BatchReport, Key
from .._constants import (
    DEFAULT_CONCURRENCY,
    MAX_CHUNK_SIZE,
)
from .._errors import InputError
from .._models import ItemResult
from .accounts import read_accounts
from .base import (
    EXIT_OK,
    Command,
    _check_output,
    _client,
    _credential_options,
    _dest,
    _err,
    _file_options,
    _finished_line,
    _id,
    _int_between,
    _job_exit,
    _number,
    _progress,
    _Usage,
    _warn,
    _write_report,
)
from .columns import CLASS_ID, STUDENT_UID, Column
from .files import FILES, InputFileError, choose_sheets, read_ids
from .journal import Journal

# --------------------------------------------------------------- the bulk jobs


@attrs.frozen
class IdFile:
    """An input file of IDs: its option, the operation argument it fills, its column options.

    ``column`` is the column the file is for: its other names (the docs') are accepted.
    """

    flag: str
    field: str
    what: str
    column_flags: tuple[str, ...]
    column: Column


@attrs.frozen
class BulkJob:
    """A bulk job: a Batcher operation, its input files and its fixed target (if any)."""

    operation: str
    key_fields: tuple[str, ...]
    files: tuple[IdFile, ...]
    #: (option, operation argument, help) of the one student or lesson every item shares.
    target: tuple[str, str, str] | None = None


_STUDENTS = IdFile(
    "--students", "student_uids", "student UIDs", ("--students-column",), STUDENT_UID
)
_LESSONS = IdFile("--lessons", "class_ids", "lesson (class) IDs", ("--lessons-column",), CLASS_ID)


def _bulk_options(spec: BulkJob) -> Callable[[argparse.ArgumentParser], None]:
    def build(sub: argparse.ArgumentParser) -> None:
        _credential_options(sub)
        if spec.target is not None:
            flag, _, help_text = spec.target
            sub.add_argument(flag, required=True, type=_id, metavar="ID", help=help_text)
        for file in spec.files:
            sub.add_argument(file.flag, type=Path, metavar="FILE", help=f"{file.what}: {FILES}")
            sub.add_argument(
                *file.column_flags,
                dest=_dest(file.column_flags[-1]),
                metavar="NAME",
                help=f"header of the column of {file.what} in {file.flag}, when it has several",
            )
            if len(spec.files) > 1:  # two files may be two sheets of one workbook
                sub.add_argument(
                    f"{file.flag}-sheet", metavar="NAME", help=f"the sheet of {file.flag} to read"
                )
        _file_options(sub)
        sub.add_argument(
            "--concurrency",
            metavar="N",
            type=_int_between(1, 10_000),
            default=DEFAULT_CONCURRENCY,
            help=(
                f"most requests in flight at once (default {DEFAULT_CONCURRENCY}); the job "
                "lowers it while the server answers busy"
            ),
        )
        sub.add_argument(
            "--adaptive",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="follow a busy server below --concurrency (default: on)",
        )
        sub.add_argument(
            "--max-per-second",
            metavar="N",
            type=_number(0.01, 100_000),
            help="at most N requests a second (the school's rate limit, if it has one)",
        )
        sub.add_argument(
            "--report", type=Path, metavar="FILE", help="write the report here (.json or .csv)"
        )
        sub.add_argument(
            "--journal",
            type=Path,
            metavar="FILE",
            help="SQLite journal of this job: run the same command again to resume",
        )
        sub.add_argument(
            "--only-failed",
            type=Path,
            metavar="REPORT",
            help="re-run the failed and unknown items of a saved report (.json or .csv), "
            "instead of input files",
        )
        sub.add_argument(
            "--progress",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="progress bar on a terminal, plain lines otherwise (default: on a terminal)",
        )

    return build


def _bulk_handler(spec: BulkJob) -> Callable[[argparse.Namespace], int]:
    def handle(args: argparse.Namespace) -> int:
        return asyncio.run(_run_bulk(spec, args))

    return handle


@attrs.frozen
class _Inputs:
    operation: str
    arguments: dict[str, Any]
    fingerprint: str
    #: With --only-failed, the report's unknown items: sent again as possibly applied.
    unsure: Mapping[Key, ItemResult] | None = None


def _inputs(spec: BulkJob, args: argparse.Namespace) -> _Inputs:
    """Read the items from the input files, or from the report given to --only-failed."""
    arguments: dict[str, Any] = {"course_id": args.course}
    if spec.target is not None:
        arguments[spec.target[1]] = getattr(args, _dest(spec.target[0]))
    given = [file.flag for file in spec.files if getattr(args, _dest(file.flag)) is not None]
    if args.only_failed is not None:
        if given:
            message = (
                f"--only-failed takes the items from the report; drop {' and '.join(given)} "
                "(or drop --only-failed to run the files)"
            )
            raise _Usage(message)
        keys, unsure = _failed_keys(spec, args)
        if len(spec.key_fields) == 2:
            operation, arguments["pairs"] = f"{spec.operation}_pairs", keys
        else:
            operation, arguments[spec.files[0].field] = spec.operation, keys
        return _Inputs(operation, arguments, _fingerprint(sorted(map(str, keys))), unsure)
    problems: list[str] = []
    paths = {file.flag: getattr(args, _dest(file.flag)) for file in spec.files}
    own = {file.flag: getattr(args, _dest(f"{file.flag}-sheet"), None) for file in spec.files}
    sheets = choose_sheets(paths, own, args.sheet)
    for file in spec.files:
        path = getattr(args, _dest(file.flag))
        if path is None:
            problems.append(f"{file.flag} is required (or --only-failed REPORT)")
            continue
        column = getattr(args, _dest(file.column_flags[-1]))
        try:
            ids = read_ids(
                path,
                column,
                option=file.column_flags[-1],
                known=file.column,
                sheet=sheets.get(file.flag),
                encoding=args.encoding,
            )
        except InputFileError as exc:
            problems.extend(exc.problems)
            continue
        arguments[file.field] = ids
    if problems:
        raise InputFileError(problems)
    shown = [sorted(set(arguments[file.field])) for file in spec.files]
    return _Inputs(spec.operation, arguments, _fingerprint(shown))


def _fingerprint(value: object) -> str:
    return hashlib.sha256(json.dumps(value).encode()).hexdigest()[:16]


def _load(path: Path, flag: str) -> BatchReport[Any]:
    """A report the command wrote, JSON or CSV (told apart by content, not by name)."""
    try:
        path.open("rb").close()
    except OSError as exc:
        message = f"cannot read {flag}{path}: {exc.strerror or exc}"
        raise _Usage(message) from None
    try:
        return BatchReport.load(path)
    except InputError as exc:
        message = f"{flag}{path}: {exc}"
        raise _Usage(message) from None


def _failed_keys(
    spec: BulkJob, args: argparse.Namespace
) -> tuple[list[Key], Mapping[Key, ItemResult]]:
    """The failed and unknown keys of the saved report, and its unknown items."""
    path: Path = args.only_failed
    saved = _load(path, "--only-failed ")
    target = {spec.target[1]: getattr(args, _dest(spec.target[0]))} if spec.target else {}
    if saved.key_fields != spec.key_fields:
        message = (
            f"--only-failed {path} is the report of another kind of job (items keyed by "
            f"{', '.join(saved.key_fields)}, not {', '.join(spec.key_fields)})"
        )
        raise _Usage(message)
    # A CSV report holds the items only: its operation and course are unknown (empty).
    if saved.operation and (
        saved.operation != spec.operation
        or saved.course_id != args.course
        or any(saved.target.get(k) != v for k, v in target.items())
    ):
        message = (
            f"--only-failed {path} is the report of another job ({saved.operation}, "
            f"course {saved.course_id}, {saved.target}), not of this one "
            f"({spec.operation}, course {args.course}, {target})"
        )
        raise _Usage(message)
    keys: list[Key] = saved.failed_keys
    if not keys:
        message = f"--only-failed: {path} has no failed or unknown items; nothing to do"
        raise _Usage(message, EXIT_OK)
    # Unknown items may have been applied by the run that wrote the report: they are
    # sent as such, so an "already" answer for one is this job's, not "already".
    return keys, saved.items_with("unknown")


async def _run_bulk(spec: BulkJob, args: argparse.Namespace) -> int:
    _check_output(args.report, "--report")
    _check_output(args.journal, "--journal")
    job = _inputs(spec, args)
    if args.dry_run:
        # No credentials needed: nothing is sent.
        planned = plan(job.operation, job.arguments, MAX_CHUNK_SIZE)
        print(
            f"dry run: {job.operation} would send {planned.items} items in {planned.calls} "
            f"calls (at most {planned.max_chunk} items a call, {planned.duplicates} duplicate "
            "IDs dropped); nothing was sent"
        )
        return EXIT_OK
    live: list[BatchReport[Any]] = []
    async with _client(args) as client:
        bar, on_progress = _progress(args)
        batcher = Batcher(
            client,
            concurrency=args.concurrency,
            adaptive=args.adaptive,
            max_attempts=args.max_attempts,
            on_progress=on_progress,
            probe_first=True,
        )
        journal = None
        if args.journal is not None:
            identity = {
                "school": client.sid,
                "base_url": client.base_url,
                "operation": spec.operation,
                "course": args.course,
                "target": {spec.target[1]: job.arguments[spec.target[1]]} if spec.target else {},
                "inputs": job.fingerprint,
            }
            journal = Journal(args.journal, identity)
        try:
            skip = job.unsure
            if journal is not None:
                if job.unsure:
                    journal.possibly_applied(job.unsure)
                # Streamed from the file as the job reads it: no item is held.
                skip = journal.finished(pairs=len(spec.key_fields) == 2)
                done = journal.count(done=True)
                if done:
                    _err(f"journal {args.journal}: {done} items already done, skipped")
            report: BatchReport[Any] = await getattr(batcher, job.operation)(
                **job.arguments,
                progress=bar,
                skip=skip,
                on_items=journal.record if journal else None,
                on_sending=journal.sending if journal else None,
                on_start=live.append,
            )
        except asyncio.CancelledError:
            if live and args.report is not None:
                # Ctrl-C: items without an outcome are marked not sent by the Batcher.
                _write_report(live[0], args.report)
            raise
        finally:
            if journal is not None:
                journal.close()
    if on_progress is not None:
        _finished_line(report)
    print(report.summary())
    _write_report(report, args.report)
    return _job_exit(report, client.base_url)


# ------------------------------------------------------------- other commands


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
    sub.add_argument(
        "--concurrency",
        metavar="N",
        type=_int_between(1, 10_000),
        default=DEFAULT_CONCURRENCY,
        help=f"most requests in flight at once (default {DEFAULT_CONCURRENCY})",
    )
    sub.add_argument(
        "--report", type=Path, metavar="FILE", help="write the report here (.json or .csv)"
    )
    sub.add_argument(
        "--uids",
        type=Path,
        metavar="FILE",
        help="write account,uid per registered account here (the next job's students file)",
    )
    sub.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on a terminal, plain lines otherwise (default: on a terminal)",
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
    return asyncio.run(_register_accounts(args, users))


async def _register_accounts(args: argparse.Namespace, users: list[Any]) -> int:
    """Register the accounts; re-running the same file is safe (135/461 give the UID)."""
    async with _client(args) as client:
        bar, on_progress = _progress(args)
        batcher = Batcher(
            client,
            concurrency=args.concurrency,
            max_attempts=args.max_attempts,
            on_progress=on_progress,
            probe_first=True,
        )
        report: BatchReport[Any] = await batcher.register(users, progress=bar)
    if on_progress is not None:
        _finished_line(report)
    print(report.summary())
    _write_report(report, args.report)
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
    return _job_exit(report, client.base_url)


def bulk_command(name: str, help_text: str, spec: BulkJob, example: str) -> Command:
    """A bulk job's row: its options and handler come from its ``BulkJob`` spec."""
    return Command(name, help_text, _bulk_options(spec), _bulk_handler(spec), example)
