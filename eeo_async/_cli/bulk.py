"""The ``eeo-async`` bulk jobs.

Input files (or a saved report) in, a Batcher job with its journal, a report and an exit
code out; and ``register`` from a file of accounts.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

from .._api.client import Client
from .._batch.plan import plan
from .._batch.report import BatchReport, Key
from .._constants import (
    MAX_CHUNK_SIZE,
)
from .._models import ItemResult
from .base import (
    EXIT_OK,
    Command,
    _check_output,
    _credential_options,
    _dest,
    _file_options,
    _id,
    _Usage,
    job_options,
)
from .columns import CLASS_ID, STUDENT_UID, Column
from .files import FILES, InputFileError, choose_sheets, read_ids
from .journal import fingerprint
from .rerun import _load, keys_to_resend, with_fixed_option
from .running import Batch, run_batch, run_job

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
        job_options(
            sub,
            per_call="; the job lowers it while the server answers busy",
            only_failed="re-run what a re-run settles of a saved report (.json or .csv), "
            "instead of input files: its unknown and not-sent items, and failures on a busy "
            "server",
        )
        with_fixed_option(sub)

    return build


def _bulk_handler(spec: BulkJob) -> Callable[[argparse.Namespace], int]:
    def handle(args: argparse.Namespace) -> int:
        return run_job(_run_bulk(spec, args))

    return handle


def _flags(spec: BulkJob, args: argparse.Namespace) -> dict[str, str]:
    """The option of each parameter a stop may name, as the person gave it."""
    # A list's one value (the only student of a file) in words; a target by its option.
    flags = {"course_id": "--course", "student_uid": "student UID", "class_id": "lesson"}
    if spec.target is not None:
        flags[spec.target[1]] = spec.target[0]
    for file in spec.files:
        path = getattr(args, _dest(file.flag))
        given = f"{file.flag} {path}" if path is not None else f"--only-failed {args.only_failed}"
        flags[file.field] = given
    return flags


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
        return _Inputs(operation, arguments, fingerprint(sorted(map(str, keys))), unsure)
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
    return _Inputs(spec.operation, arguments, fingerprint(shown))


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
    keys = keys_to_resend(saved, path, with_fixed=args.with_fixed)
    # Unknown items may have been applied by the run that wrote the report: they are
    # sent as such, so an "already" answer for one is this job's, not "already".
    return keys, saved.items_with("unknown")


async def _run_bulk(spec: BulkJob, args: argparse.Namespace) -> int:
    _check_output(args.report, "--report")
    _check_output(args.journal, "--journal")
    job = _inputs(spec, args)
    if args.dry_run:
        _dry_run(spec, args, job)  # no credentials needed: nothing is sent
        return EXIT_OK

    async def send(batch: Batch) -> BatchReport[Any]:
        skip = batch.skip(job.unsure, pairs=len(spec.key_fields) == 2)
        return await batch.send(job.operation, skip=skip, **job.arguments)

    identity = functools.partial(_identity, spec, args, job)
    ran = await run_batch(args, send, identity=identity)
    return ran.finish(args, _flags(spec, args))


def _identity(
    spec: BulkJob, args: argparse.Namespace, job: _Inputs, client: Client
) -> dict[str, Any]:
    """The job's identity in its journal (another job's journal is refused)."""
    return {
        "school": client.sid,
        "base_url": client.base_url,
        "operation": spec.operation,
        "course": args.course,
        "target": {spec.target[1]: job.arguments[spec.target[1]]} if spec.target else {},
        "inputs": job.fingerprint,
    }


def _dry_run(spec: BulkJob, args: argparse.Namespace, job: _Inputs) -> None:
    """Print the plan, and each list's count and first few IDs, so a swap shows."""
    planned = plan(job.operation, job.arguments, MAX_CHUNK_SIZE)
    print(
        f"dry run: {job.operation} would send {planned.items} items in {planned.calls} "
        f"calls of {planned.action} (at most {planned.max_chunk} items a call, "
        f"{planned.duplicates} duplicate IDs dropped); nothing was sent"
    )
    print(f"  course      {args.course}")
    if spec.target is not None:
        print(f"  {spec.target[0].lstrip('-'):<11} {job.arguments[spec.target[1]]}")
    if "pairs" in job.arguments:
        pairs = job.arguments["pairs"]
        print(f"  {'pairs':<11} {len(pairs)} from --only-failed: {_first(pairs)}")
        return
    for file in spec.files:
        ids = list(dict.fromkeys(job.arguments[file.field]))
        source = getattr(args, _dest(file.flag)) or f"--only-failed {args.only_failed}"
        print(f"  {file.flag.lstrip('-'):<11} {len(ids)} from {source}: {_first(ids)}")
    if len(spec.files) == 2:
        counts = [len(set(job.arguments[file.field])) for file in spec.files]
        print(f"  {'pairs':<11} {counts[0] * counts[1]} (each of the first with each of the other)")


def _first(values: list[Any], count: int = 3) -> str:
    """The first few values and the last: ``1, 2, 3, ... 9``."""
    shown = [("/".join(map(str, v)) if isinstance(v, tuple) else str(v)) for v in values]
    if len(shown) <= count + 1:
        return ", ".join(shown)
    return f"{', '.join(shown[:count])}, ... {shown[-1]}"


# ------------------------------------------------------------- other commands


def bulk_command(name: str, help_text: str, spec: BulkJob, example: str) -> Command:
    """A bulk job's row: its options and handler come from its ``BulkJob`` spec."""
    return Command(name, help_text, _bulk_options(spec), _bulk_handler(spec), example)
