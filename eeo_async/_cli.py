"""The ``eeo-async`` command: bulk jobs from files, a report out, resumable with a journal.

Built on argparse (standard library). The subcommands are rows of one table
(:data:`COMMANDS`): name, help, the options it accepts, its handler and an example. A
bulk job's row carries a :class:`Bulk` spec (Batcher operation, key fields, input files,
fixed target) from which its options and handler are built, so adding one (say
``unenroll``) is one row, once the Batcher has the operation. Exit codes are in
:data:`EXIT_CODES`.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import os
import sqlite3
import stat
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from ._batch import Batcher
from ._client import Client
from ._constants import (
    DEFAULT_BASE_URL,
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_ATTEMPTS,
    LOGGER_NAME,
    MAX_CHUNK_SIZE,
)
from ._errors import ApiError, BadCredentialsError, ConnectError, EEOError, InputError
from ._ids import InputFileError, read_accounts, read_groups, read_ids
from ._journal import Journal
from ._models import GroupMember
from ._plan import plan
from ._report import BatchReport, Key
from ._sandbox_school import Faults
from ._wire import validate_group_name, validate_groups, validate_id

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CREDENTIALS, EXIT_UNREACHABLE = 0, 1, 2, 3, 4
EXIT_INTERRUPTED = 130

EXIT_CODES = """exit codes:
  0    every item done, or already so
  1    some items failed, or their outcome is unknown (a re-run settles them)
  2    usage or input errors (bad option, bad ID in a file, wrong journal): nothing sent
  3    credentials missing or refused (after at most one request)
  4    the server cannot be reached (after one call's attempts)
  130  interrupted (Ctrl-C): the journal and --report keep what was done"""


class _Usage(Exception):  # noqa: N818 - a control-flow signal carrying an exit code
    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        self.code = code
        super().__init__(message)


def _err(text: str) -> None:
    print(text, file=sys.stderr)


# --------------------------------------------------------------- option types


def _id(text: str) -> int:
    try:
        return validate_id(text, "ID")
    except EEOError:
        message = f"bad ID {text!r} (a positive whole number)"
        raise argparse.ArgumentTypeError(message) from None


def _int_between(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            message = f"must be a whole number from {low} to {high}, got {text!r}"
            raise argparse.ArgumentTypeError(message)
        return value

    return parse


def _number(low: float, high: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not low <= value <= high:  # NaN fails too
            message = f"must be a number from {low:g} to {high:g}, got {text!r}"
            raise argparse.ArgumentTypeError(message)
        return value

    return parse


# --------------------------------------------------------------- the bulk jobs


@attrs.frozen
class IdFile:
    """An input file of IDs: its option, the operation argument it fills, its column options."""

    flag: str
    field: str
    what: str
    column_flags: tuple[str, ...]


@attrs.frozen
class Bulk:
    """A bulk job: a Batcher operation, its input files and its fixed target (if any)."""

    operation: str
    key_fields: tuple[str, ...]
    files: tuple[IdFile, ...]
    #: (option, operation argument, help) of the one student or lesson every item shares.
    target: tuple[str, str, str] | None = None


_STUDENTS = IdFile("--students", "student_uids", "student UIDs", ("--students-column",))
_LESSONS = IdFile("--lessons", "class_ids", "lesson (class) IDs", ("--lessons-column",))


def _dest(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")


def _credential_options(sub: argparse.ArgumentParser, *, course: bool = True) -> None:
    if course:
        sub.add_argument("--course", required=True, type=_id, metavar="ID", help="course ID")
    sub.add_argument("--sid", metavar="ID", help="school ID (default: $EEO_SID)")
    sub.add_argument(
        "--secret-file",
        type=Path,
        metavar="FILE",
        help="file whose first line is the secret (chmod 600)",
    )
    sub.add_argument(
        "--base-url",
        metavar="URL",
        help=f"API base URL (default: $EEO_BASE_URL or {DEFAULT_BASE_URL})",
    )
    sub.add_argument(
        "--max-attempts",
        metavar="N",
        type=_int_between(1, 1000),
        default=DEFAULT_MAX_ATTEMPTS,
        help=f"attempts per call or item, the first included (default {DEFAULT_MAX_ATTEMPTS})",
    )
    sub.add_argument("--dry-run", action="store_true", help="check and plan; send nothing")


def _bulk_options(spec: Bulk) -> Callable[[argparse.ArgumentParser], None]:
    def build(sub: argparse.ArgumentParser) -> None:
        _credential_options(sub)
        if spec.target is not None:
            flag, _, help_text = spec.target
            sub.add_argument(flag, required=True, type=_id, metavar="ID", help=help_text)
        for file in spec.files:
            sub.add_argument(
                file.flag, type=Path, metavar="FILE", help=f"CSV or text file of {file.what}"
            )
            sub.add_argument(
                *file.column_flags,
                dest=_dest(file.column_flags[-1]),
                metavar="NAME",
                help=f"header of the column of {file.what} in {file.flag}, when it has several",
            )
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


def _bulk_handler(spec: Bulk) -> Callable[[argparse.Namespace], int]:
    def handle(args: argparse.Namespace) -> int:
        return asyncio.run(_run_bulk(spec, args))

    return handle


@attrs.frozen
class _Inputs:
    operation: str
    arguments: dict[str, Any]
    fingerprint: str


def _inputs(spec: Bulk, args: argparse.Namespace) -> _Inputs:
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
        keys = _failed_keys(spec, args)
        if len(spec.key_fields) == 2:
            operation, arguments["pairs"] = f"{spec.operation}_pairs", keys
        else:
            operation, arguments[spec.files[0].field] = spec.operation, keys
        return _Inputs(operation, arguments, _fingerprint(sorted(map(str, keys))))
    problems: list[str] = []
    for file in spec.files:
        path = getattr(args, _dest(file.flag))
        if path is None:
            problems.append(f"{file.flag} is required (or --only-failed REPORT)")
            continue
        column = getattr(args, _dest(file.column_flags[-1]))
        try:
            ids = read_ids(path, column, option=file.column_flags[-1])
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


def _failed_keys(spec: Bulk, args: argparse.Namespace) -> list[Key]:
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
    return keys


def _check_output(path: Path | None, flag: str) -> None:
    """Refuse, before anything is sent, an output path that cannot be written."""
    if path is None:
        return
    parent = path.parent
    if not parent.is_dir():
        message = f"{flag} {path}: the directory {parent} does not exist"
        raise _Usage(message)
    if path.is_dir() or not os.access(parent, os.W_OK):
        message = f"{flag} {path}: cannot write there"
        raise _Usage(message)


def _credentials(args: argparse.Namespace) -> tuple[str, str, str]:
    sid = args.sid or os.environ.get("EEO_SID")
    if args.secret_file is not None:
        secret = _read_secret(args.secret_file)
    else:
        secret = os.environ.get("EEO_SECRET", "").strip()
    base_url = args.base_url or os.environ.get("EEO_BASE_URL") or DEFAULT_BASE_URL
    if not sid:
        raise _Usage("no school ID: set EEO_SID or pass --sid", EXIT_CREDENTIALS)
    try:
        validate_id(sid, "school ID")
    except EEOError:
        message = f"bad school ID {sid!r} (EEO_SID or --sid): a positive whole number"
        raise _Usage(message, EXIT_CREDENTIALS) from None
    if not secret:
        raise _Usage("no secret: set EEO_SECRET or pass --secret-file", EXIT_CREDENTIALS)
    return sid, secret, base_url


def _read_secret(path: Path) -> str:
    try:
        mode = path.stat().st_mode
        # Notepad writes a BOM and CRLF: neither is part of the secret.
        lines = path.read_bytes().decode("utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        message = f"cannot read --secret-file {path}: {reason}"
        raise _Usage(message, EXIT_CREDENTIALS) from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        _err(f"warning: --secret-file {path} can be read by other users; chmod 600 {path}")
    return lines[0].strip() if lines else ""


def _client(args: argparse.Namespace) -> Client:
    sid, secret, base_url = _credentials(args)
    try:
        return Client(
            sid,
            secret,
            base_url=base_url,
            max_attempts=args.max_attempts,
            max_per_second=getattr(args, "max_per_second", None),
        )
    except InputError as exc:
        raise _Usage(str(exc)) from None


def _progress(args: argparse.Namespace) -> tuple[bool, Callable[[int, int], None] | None]:
    """(bar, plain-lines callback): the Batcher's bar on a terminal, plain lines elsewhere.

    On a terminal without tqdm (an optional extra) the Batcher prints plain lines itself.
    """
    if args.progress is False:
        return False, None
    if sys.stderr.isatty():
        return True, None
    return False, _plain_progress()


def _plain_progress() -> Callable[[int, int], None]:
    """Progress as a line on stderr every 10% or 5 seconds (for cron and logs).

    The last line is left to the job's end (:func:`_finished_line`): a job that stops
    early marks the rest not sent at once, which is no "100%".
    """
    state = {"step": 0, "at": time.monotonic()}

    def show(done: int, total: int) -> None:
        step = done * 10 // max(total, 1)
        now = time.monotonic()
        if done < total and (step > state["step"] or now - state["at"] >= 5):
            state["step"], state["at"] = step, now
            _err(f"progress: {done}/{total} items ({done * 100 // max(total, 1)}%)")

    return show


def _finished_line(report: BatchReport[Any]) -> None:
    if report.stopped_by is None:
        _err(f"progress: {report.total}/{report.total} items (100%)")


def _write_report(report: BatchReport[Any], path: Path | None) -> None:
    if path is None:
        return
    try:
        if path.suffix.lower() == ".csv":
            report.to_csv(path)
        else:
            report.write_json(path)  # streamed: a report of millions fits
    except OSError as exc:
        message = f"cannot write the report {path}: {exc.strerror or exc}"
        raise _Usage(message) from None
    print(f"report written to {path}")


async def _run_bulk(spec: Bulk, args: argparse.Namespace) -> int:
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
            skip = journal.finished(pairs=len(spec.key_fields) == 2) if journal else None
            done = sum(1 for result in (skip or {}).values() if result.ok)
            if done:
                _err(f"journal {args.journal}: {done} items already done, skipped")
            report: BatchReport[Any] = await getattr(batcher, job.operation)(
                **job.arguments,
                progress=bar,
                skip=skip,
                on_items=journal.record if journal else None,
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


def _job_exit(report: BatchReport[Any], base_url: str) -> int:
    if report.stopped_by == "credentials":
        _err(
            f"error: the server refused the credentials ({report.stop_reason or 'errno 102'}): "
            "check SID, secret and clock"
        )
        return EXIT_CREDENTIALS
    if report.stopped_by == "unreachable":
        reason = report.stop_reason or f"the server at {base_url} cannot be reached"
        if base_url not in reason:
            reason = f"the server at {base_url} cannot be reached: {reason}"
        _err(f"error: {reason}")
        return EXIT_UNREACHABLE
    if report.stopped_by == "interrupted":
        return EXIT_INTERRUPTED
    return EXIT_OK if report.ok else EXIT_FAILED


# ------------------------------------------------------------- other commands


def _register_options(sub: argparse.ArgumentParser) -> None:
    _credential_options(sub, course=False)
    sub.add_argument(
        "--accounts",
        type=Path,
        required=True,
        metavar="FILE",
        help="CSV of accounts: telephone or email, password or md5_password, "
        "optionally nickname and add_to_school",
    )
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
    users = read_accounts(args.accounts)
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


def _group_options(sub: argparse.ArgumentParser) -> None:
    _credential_options(sub)
    sub.add_argument("--name", required=True, help="group plan name, 1 to 20 characters")
    sub.add_argument(
        "--groups", type=Path, required=True, metavar="FILE", help="JSON or CSV group file"
    )


def _group(args: argparse.Namespace) -> int:
    groups = read_groups(args.groups)
    name = validate_group_name(args.name)
    checked = validate_groups(groups)
    if args.dry_run:
        members = sum(len(g) for g in checked)
        print(
            f"dry run: one addCourseGroup call, {len(checked)} groups, {members} students, "
            f"name {name!r}; nothing was sent"
        )
        return EXIT_OK
    return asyncio.run(_create_group(args, name, checked))


async def _create_group(
    args: argparse.Namespace, name: str, groups: Sequence[Sequence[GroupMember]]
) -> int:
    async with _client(args) as client:
        try:
            result = await client.add_course_group(args.course, name, groups)
        except ConnectError as exc:
            _err(f"error: the server cannot be reached ({client.base_url}): {exc}")
            return EXIT_UNREACHABLE
    if result.partial:
        print(f"group plan {result.group_id} created for course {args.course}, incomplete")
        _err(
            "error: some student UIDs were wrong (errno 898) and left out; the server did "
            "not say which: compare the plan with the file"
        )
        return EXIT_FAILED
    print(f"group plan {result.group_id} created for course {args.course}")
    return EXIT_OK


def _report_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("file", type=Path, help="a report written by --report (.json or .csv)")


def _report(args: argparse.Namespace) -> int:
    path: Path = args.file
    saved = _load(path, "")
    lines = saved.summary().splitlines()
    if not saved.operation:
        # A CSV report: no operation, course, calls or time to show.
        lines[0] = f"{path}: {saved.total} items keyed by {', '.join(saved.key_fields)}"
    print("\n".join(lines))
    return EXIT_OK if saved.ok else EXIT_FAILED


def _demo_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--report", type=Path, default=Path("eeo-demo-report.json"))
    sub.add_argument("--students", type=_int_between(1, 1_000_000), default=2000)
    sub.add_argument("--lessons", type=_int_between(5, 10_000), default=150)
    sub.add_argument("--seed", type=int, default=2026)
    sub.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None)


def _demo(args: argparse.Namespace) -> int:
    from ._demo import run_demo  # noqa: PLC0415 - only this command needs the sandbox

    _check_output(args.report, "--report")
    bar, _ = _progress(args)
    args.progress = bar
    return asyncio.run(run_demo(args))


def _fault_help() -> dict[str, str]:
    """Each Faults field's text from its docstring's Attributes section (continuations too)."""
    helps: dict[str, str] = {}
    name, indent = "", 0
    for line in (Faults.__doc__ or "").splitlines():
        depth = len(line) - len(line.lstrip())
        head, _, text = line.strip().partition(": ")
        if head.isidentifier() and text and head in attrs.fields_dict(Faults):
            name, indent = head, depth
            helps[name] = text.replace("``", "")
        elif name and line.strip() and depth > indent:
            helps[name] += " " + line.strip().replace("``", "")
        else:
            name = ""
    return helps


def _sandbox_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--host", default="127.0.0.1")
    sub.add_argument("--port", type=_int_between(0, 65535), default=8765, help="0: any free port")
    sub.add_argument("--seed", type=int, default=0, help="seed of every fault decision")
    sub.add_argument("--students", type=_int_between(0, 1_000_000), default=0)
    sub.add_argument("--lessons", type=_int_between(0, 10_000), default=0)
    helps = _fault_help()
    faults = sub.add_argument_group("faults (from eeo_async.testing.Faults)")
    attrs.resolve_types(Faults)
    for field in attrs.fields(Faults):
        parse, metavar, note = _fault_flag(field.name, field.type)
        faults.add_argument(
            f"--{field.name.replace('_', '-')}",
            dest=f"fault_{field.name}",
            type=parse,
            default=field.default,
            metavar=metavar,
            help=helps.get(field.name, "") + note,
        )


def _fault_flag(name: str, kind: object) -> tuple[Callable[[str], Any], str, str]:
    """How a ``Faults`` field is read from its flag: by its type (and name, for seconds)."""
    if kind is float and name.startswith("latency"):
        return _number(0, 60), "SECONDS", ""
    if kind is float:
        return _number(0, 1), "P", " (probability, 0 to 1)"
    if kind == (int | None) or kind is int:
        return _int_between(1, 1_000_000), "N", ""
    return str, "VALUE", ""


def _sandbox(args: argparse.Namespace) -> int:
    return asyncio.run(_serve_sandbox(args))


async def _serve_sandbox(args: argparse.Namespace) -> int:
    from .testing import Course, Sandbox, serve  # noqa: PLC0415 - only this command needs it

    try:
        faults = Faults(**{f.name: getattr(args, f"fault_{f.name}") for f in attrs.fields(Faults)})
    except ValueError as exc:
        raise _Usage(str(exc)) from None

    def ready(sandbox: Sandbox, course: Course | None, students: list[int]) -> None:
        print(f"sandbox listening on {sandbox.base_url} (Ctrl-C to stop)")
        # A throwaway credential of this fake server, printed so a rehearsal can use it.
        print(
            f"  export EEO_SID={sandbox.sid} EEO_SECRET={sandbox.secret} "
            f"EEO_BASE_URL={sandbox.base_url}"
        )
        on = [
            f"{f.name}={getattr(faults, f.name)}"
            for f in attrs.fields(Faults)
            if getattr(faults, f.name)
        ]
        print(f"  faults (seed {args.seed}): {', '.join(on) or 'none'}")
        if course is not None:
            first, last = course.class_ids[0], course.class_ids[-1]
            print(f"  course {course.course_id}: lessons {first}..{last}")
        if students:
            print(f"  students {students[0]}..{students[-1]}")
        sys.stdout.flush()

    await serve(
        host=args.host,
        port=args.port,
        seed=args.seed,
        students=args.students,
        lessons=args.lessons,
        faults=faults,
        on_ready=ready,
    )
    return EXIT_OK  # pragma: no cover - serve() only ends by cancellation


# -------------------------------------------------------------------- the table


@attrs.frozen
class Command:
    """One subcommand: its name, help, the options it accepts, its handler and an example."""

    name: str
    help: str
    options: Callable[[argparse.ArgumentParser], None]
    handler: Callable[[argparse.Namespace], int]
    example: str


def _bulk(name: str, help_text: str, spec: Bulk, example: str) -> Command:
    """A bulk job's row: its options and handler come from its ``Bulk`` spec."""
    return Command(name, help_text, _bulk_options(spec), _bulk_handler(spec), example)


COMMANDS = (
    _bulk(
        "enroll",
        "Add every student of a file to every lesson of a file.",
        Bulk("enroll", ("student_uid", "class_id"), (_STUDENTS, _LESSONS)),
        """  export EEO_SID=1234567 EEO_SECRET=...        # or --sid and --secret-file
  eeo-async enroll --course 176465 --students students.csv \\
      --students-column "Student UID" --lessons lessons.txt \\
      --journal enroll.db --report report.json""",
    ),
    _bulk(
        "unenroll",
        "Remove every student of a file from every lesson of a file.",
        Bulk("unenroll", ("student_uid", "class_id"), (_STUDENTS, _LESSONS)),
        "  eeo-async unenroll --course 176465 --students leavers.csv --lessons lessons.txt",
    ),
    _bulk(
        "course-add",
        "Add the students of a file to a course (addCourseStudentMultiple).",
        Bulk(
            "add_students_to_course",
            ("student_uid",),
            (attrs.evolve(_STUDENTS, column_flags=("--column", "--students-column")),),
        ),
        "  eeo-async course-add --course 176465 --students students.csv",
    ),
    _bulk(
        "course-remove",
        "Remove the students of a file from a course (delCourseStudentMultiple).",
        Bulk(
            "remove_students_from_course",
            ("student_uid",),
            (attrs.evolve(_STUDENTS, column_flags=("--column", "--students-column")),),
        ),
        "  eeo-async course-remove --course 176465 --students leavers.csv",
    ),
    _bulk(
        "lesson-add",
        "Add the students of a file to one lesson (addClassStudentMultiple).",
        Bulk(
            "add_students_to_lesson",
            ("student_uid",),
            (attrs.evolve(_STUDENTS, column_flags=("--column", "--students-column")),),
            ("--lesson", "class_id", "lesson (class) ID"),
        ),
        "  eeo-async lesson-add --course 176465 --lesson 1212131 --students joiners.txt",
    ),
    _bulk(
        "remove",
        "Remove the students of a file from one lesson.",
        Bulk(
            "remove_students_from_lesson",
            ("student_uid",),
            (attrs.evolve(_STUDENTS, column_flags=("--column", "--students-column")),),
            ("--lesson", "class_id", "lesson (class) ID"),
        ),
        "  eeo-async remove --course 176465 --lesson 1212131 --students leavers.txt",
    ),
    _bulk(
        "add-lessons",
        "Add one student to the lessons of a file.",
        Bulk(
            "add_student_to_lessons",
            ("class_id",),
            (attrs.evolve(_LESSONS, column_flags=("--column", "--lessons-column")),),
            ("--student", "student_uid", "student UID"),
        ),
        "  eeo-async add-lessons --course 176465 --student 1001001 --lessons lessons.txt",
    ),
    Command(
        "register",
        "Register the accounts of a CSV file (registerMultiple, 10 a call) and get their UIDs.",
        _register_options,
        _register,
        """  eeo-async register --accounts accounts.csv --uids uids.csv --report register.json
  (accounts.csv: a header naming telephone or email, password or md5_password, and
   optionally nickname and add_to_school; re-running the same file is safe: accounts
   already registered answer 135/461 with their UID)
  eeo-async course-add --course 176465 --students uids.csv --column uid""",
    ),
    Command(
        "group",
        "Create the group plan of a course from a file.",
        _group_options,
        _group,
        """  eeo-async group --course 176465 --name Teams --groups groups.csv
  (groups.csv: a header group,student_uid,is_leader (other columns ignored), then one
   line per student; or the documented JSON [[{"studentUid": 1, "isLeader": 1}, ...]])""",
    ),
    Command(
        "report",
        "Summarise a saved report (.json or .csv).",
        _report_options,
        _report,
        "  eeo-async report report.json",
    ),
    Command(
        "demo",
        "Run a bulk enrolment, a removal and a group against the sandbox.",
        _demo_options,
        _demo,
        "  eeo-async demo --report demo-report.json",
    ),
    Command(
        "sandbox",
        "Serve the sandbox (a fake ClassIn API) until Ctrl-C, with faults for rehearsals.",
        _sandbox_options,
        _sandbox,
        """  eeo-async sandbox --port 8765 --students 100 --lessons 20 --latency 0.05 \\
      --item-busy 0.05 --http-error 0.02 --seed 7
  then, in another terminal, the export line it prints and any job command""",
    ),
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eeo-async",
        description="Bulk jobs for the ClassIn (EEO) partner API, with a report you can trust.",
        epilog="credentials: EEO_SID, EEO_SECRET, EEO_BASE_URL, or --sid and --secret-file\n\n"
        + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        sub = commands.add_parser(
            command.name,
            help=command.help,
            description=command.help,
            epilog=f"example:\n{command.example}\n\n{EXIT_CODES}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.options(sub)
        sub.set_defaults(handler=command.handler)
    return parser


def _not_a_stop(record: logging.LogRecord) -> bool:
    # The command reports why a job stopped in its own one line (and exit code).
    return not (record.module == "_job" and str(record.msg).startswith("job stopped"))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``eeo-async`` command; returns the exit code (see ``EXIT_CODES``)."""
    args = _parser().parse_args(argv)
    logger = logging.getLogger(LOGGER_NAME)
    if _not_a_stop not in logger.filters:
        logger.addFilter(_not_a_stop)
    try:
        code: int = args.handler(args)
    except KeyboardInterrupt:
        _err("interrupted: finished items are in the journal (if any); run again to resume")
        return EXIT_INTERRUPTED
    except _Usage as exc:
        if exc.code == EXIT_OK:
            print(exc)
        else:
            _err(f"error: {exc}")
        return exc.code
    except InputFileError as exc:
        _err(str(exc))
        return EXIT_USAGE
    except InputError as exc:
        _err(f"error: {exc}")
        return EXIT_USAGE
    except BadCredentialsError as exc:
        _err(f"error: the server refused the credentials ({exc}): check SID, secret and clock")
        return EXIT_CREDENTIALS
    except ApiError as exc:
        _err(f"error: {exc}")
        return EXIT_FAILED
    except EEOError as exc:
        _err(f"error: {exc}")
        return EXIT_FAILED
    except sqlite3.Error as exc:
        _err(f"error: the journal cannot be written: {exc}")
        return EXIT_USAGE
    return code


if __name__ == "__main__":
    sys.exit(main())
