"""Shared pieces of the ``eeo-async`` command.

Exit codes, option types, credentials, progress, reports out and the exit code of a job.
"""

from __future__ import annotations

import argparse
import codecs
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Final

import attrs

from .._api.client import Client
from .._codes import BAD_CREDENTIALS, JOB_WIDE, JOB_WIDE_STATUSES, Errno
from .._constants import (
    DEFAULT_BASE_URL,
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_ATTEMPTS,
)
from .._errors import ApiError, EEOError, HTTPStatusError, InputError, TransportError
from .._wire.kinds import validate_id

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CREDENTIALS, EXIT_UNREACHABLE = 0, 1, 2, 3, 4
EXIT_JOB_WIDE = 5
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143

EXIT_CODES = """exit codes:
  0    every item done, or already so
  1    some items failed, or their outcome is unknown (the summary says which to
       fix and which to run again)
  2    usage or input errors (bad option, bad ID in a file, wrong journal, an
       unwritable output path): nothing sent
  3    credentials missing or refused (after at most one request)
  4    the server cannot be reached (after one call's attempts: no connection, a
       timeout, HTTP 5xx), or the API is in its quarterly maintenance (errno 901):
       run again later
  5    the job itself is wrong: an answer no item can escape (no such course,
       errno 144; a finished --lesson, swapped files, a base URL the server
       answers 404 for); one line names what to fix; the rest not sent
  130  interrupted (Ctrl-C): the journal and --report keep what was done
  143  terminated (SIGTERM: kill, systemd, Docker, CI): as for 130
A --report or other output that cannot be written after the job is said on
stderr; the exit code stays the job's."""

#: The exit code of each way a Batcher job stops early (an interruption's is the signal's).
STOP_EXITS: Final = {
    "credentials": EXIT_CREDENTIALS,
    "unreachable": EXIT_UNREACHABLE,
    "maintenance": EXIT_UNREACHABLE,
    "job_wide": EXIT_JOB_WIDE,
    "closed": EXIT_FAILED,
}


def error_exit(exc: EEOError) -> int:
    """The exit code of an error that ended a command's own call (``EXIT_CODES``).

    The same codes as a Batcher job that stopped for the same reason: 3 refused
    credentials, 4 no usable answer (no connection, timeouts, HTTP 5xx) or the
    maintenance (901), 5 an answer about a value the command holds fixed (no such
    course, 144) or a base URL the server lacks (HTTP 404), 2 an input error, else 1.
    """
    if isinstance(exc, InputError):
        return EXIT_USAGE
    if isinstance(exc, ApiError):
        if exc.errno in BAD_CREDENTIALS:
            return EXIT_CREDENTIALS
        if exc.errno == Errno.MAINTENANCE:
            return EXIT_UNREACHABLE
        return EXIT_JOB_WIDE if exc.errno in JOB_WIDE else EXIT_FAILED
    if isinstance(exc, HTTPStatusError) and exc.status in JOB_WIDE_STATUSES:
        return EXIT_JOB_WIDE
    if isinstance(exc, TransportError):
        return EXIT_UNREACHABLE
    return EXIT_FAILED


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


def _encoding(text: str) -> str:
    try:
        codecs.lookup(text)
    except LookupError:
        message = f"unknown encoding {text!r} (e.g. utf-8, gbk, gb18030, utf-16, cp1252)"
        raise argparse.ArgumentTypeError(message) from None
    return text


def _file_options(sub: argparse.ArgumentParser) -> None:
    """``--sheet`` and ``--encoding``, for every command that reads a file."""
    sub.add_argument(
        "--sheet",
        metavar="NAME",
        help="the sheet to read in an .xlsx workbook (default: the first); needs "
        "openpyxl: pip install 'eeo-async[xlsx]'",
    )
    sub.add_argument(
        "--encoding",
        type=_encoding,
        metavar="NAME",
        help="the encoding of CSV and text files (default: detected: UTF-8 with or "
        "without BOM, UTF-16 with BOM, GBK/GB18030)",
    )


def _warn(text: str) -> None:
    _err(f"warning: {text}")


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


@attrs.frozen
class Command:
    """One subcommand: its name, help, the options it accepts, its handler and an example."""

    name: str
    help: str
    options: Callable[[argparse.ArgumentParser], None]
    handler: Callable[[argparse.Namespace], int]
    example: str


def job_options(
    sub: argparse.ArgumentParser,
    *,
    per_call: str = "",
    journal: str | None = "SQLite journal of this job: run the same command again to resume",
    only_failed: str | None = None,
) -> None:
    """The options every job of the command takes, with the same words everywhere.

    ``--concurrency``, ``--adaptive``, ``--max-per-second``, ``--report`` and
    ``--progress`` always; ``--journal`` and ``--only-failed`` with their help texts when
    given.
    """
    sub.add_argument(
        "--concurrency",
        metavar="N",
        type=_int_between(1, 10_000),
        default=DEFAULT_CONCURRENCY,
        help=f"most requests in flight at once (default {DEFAULT_CONCURRENCY}){per_call}",
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
    if journal is not None:
        sub.add_argument("--journal", type=Path, metavar="FILE", help=journal)
    if only_failed is not None:
        sub.add_argument("--only-failed", type=Path, metavar="REPORT", help=only_failed)
    sub.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on a terminal, plain lines otherwise (default: on a terminal)",
    )
