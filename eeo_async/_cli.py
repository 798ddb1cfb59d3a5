"""The ``eeo-async`` command: bulk jobs from files, a report out, resumable with a journal.

Built on argparse (standard library): subcommands, help and exit codes are all it needs.
Exit codes: 0 every item done or already so, 1 some items failed, 2 usage or input
errors, 3 credential or configuration errors, 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ._batch import Batcher
from ._client import Client
from ._constants import (
    DEFAULT_BASE_URL,
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_ATTEMPTS,
    MAX_CHUNK_SIZE,
)
from ._errors import ApiError, BadCredentialsError, EEOError, InputError
from ._ids import read_groups, read_ids
from ._journal import Journal
from ._plan import plan
from ._report import BatchReport

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CREDENTIALS, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

_EXAMPLES = {
    "enroll": """example:
  export EEO_SID=1234567 EEO_SECRET=...        # or --sid and --secret-file
  eeo-async enroll --course 176465 --students students.csv --column student_uid \\
      --lessons lessons.txt --journal enroll.db --report report.json""",
    "remove": """example:
  eeo-async remove --course 176465 --lesson 1212131 --students leavers.txt""",
    "add-lessons": """example:
  eeo-async add-lessons --course 176465 --student 1001001 --lessons lessons.txt""",
    "group": """example:
  eeo-async group --course 176465 --name Teams --groups groups.csv
  (groups.csv: a header group,student_uid,is_leader then one line per student,
   or the documented JSON [[{"studentUid": 1, "isLeader": 1}, ...], ...])""",
    "report": """example:
  eeo-async report report.json""",
    "demo": """example:
  eeo-async demo --report demo-report.json""",
    "sandbox": """example:
  eeo-async sandbox --port 8765 --students 100 --lessons 20
  EEO_SID=1234567 EEO_BASE_URL=http://127.0.0.1:8765 EEO_SECRET=sandbox-secret eeo-async ...""",
}


class _Usage(Exception):  # noqa: N818 - a control-flow signal carrying an exit code
    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        self.code = code
        super().__init__(message)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eeo-async",
        description="Bulk jobs for the ClassIn (EEO) partner API, with a report you can trust.",
        epilog="Credentials: EEO_SID, EEO_SECRET, EEO_BASE_URL, or --sid and --secret-file.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=_EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    def job_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--course", required=True, help="course ID")
        sub.add_argument("--sid", help="school ID (default: $EEO_SID)")
        sub.add_argument("--secret-file", type=Path, help="file whose first line is the secret")
        sub.add_argument(
            "--base-url", help=f"API base URL (default: $EEO_BASE_URL or {DEFAULT_BASE_URL})"
        )
        sub.add_argument("--column", help="CSV column holding the IDs, when there are several")
        sub.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
        sub.add_argument("--max-attempts", type=int, default=DEFAULT_MAX_ATTEMPTS)
        sub.add_argument("--dry-run", action="store_true", help="print the plan, send nothing")
        sub.add_argument("--report", type=Path, help="write the report here (.json or .csv)")
        sub.add_argument("--journal", type=Path, help="SQLite journal: resume where a run stopped")
        sub.add_argument(
            "--only-failed",
            type=Path,
            metavar="REPORT",
            help="re-run the failures of a saved report",
        )
        sub.add_argument(
            "--progress",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="progress bar (default: on a terminal)",
        )

    enroll = command("enroll", "Add every student of a file to every lesson of a file.")
    job_options(enroll)
    enroll.add_argument("--students", type=Path, help="file of student UIDs")
    enroll.add_argument("--lessons", type=Path, help="file of lesson (class) IDs")

    remove = command("remove", "Remove the students of a file from one lesson.")
    job_options(remove)
    remove.add_argument("--lesson", required=True, help="lesson (class) ID")
    remove.add_argument("--students", type=Path, help="file of student UIDs")

    add = command("add-lessons", "Add one student to the lessons of a file.")
    job_options(add)
    add.add_argument("--student", required=True, help="student UID")
    add.add_argument("--lessons", type=Path, help="file of lesson (class) IDs")

    group = command("group", "Create the group plan of a course from a file.")
    job_options(group)
    group.add_argument("--name", required=True, help="group plan name, 1 to 20 characters")
    group.add_argument("--groups", type=Path, required=True, help="JSON or CSV group file")

    report = command("report", "Summarise a saved JSON report.")
    report.add_argument("file", type=Path)

    demo = command("demo", "Run a bulk enrolment, a removal and a group against the sandbox.")
    demo.add_argument("--report", type=Path, default=Path("eeo-demo-report.json"))
    demo.add_argument("--students", type=int, default=2000)
    demo.add_argument("--lessons", type=int, default=150)
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None)

    sandbox = command("sandbox", "Serve the sandbox (a fake ClassIn API) until Ctrl-C.")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8765)
    sandbox.add_argument("--seed", type=int, default=0)
    sandbox.add_argument("--students", type=int, default=0, help="students to seed")
    sandbox.add_argument("--lessons", type=int, default=0, help="lessons of a seeded course")
    return parser


# --------------------------------------------------------------------------- helpers


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def _credentials(args: argparse.Namespace) -> tuple[str, str, str]:
    sid = args.sid or os.environ.get("EEO_SID")
    if args.secret_file is not None:
        try:
            lines = args.secret_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            message = f"cannot read --secret-file {args.secret_file}: {exc.strerror}"
            raise _Usage(message, EXIT_CREDENTIALS) from None
        secret = lines[0].strip() if lines else ""
    else:
        secret = os.environ.get("EEO_SECRET", "")
    base_url = args.base_url or os.environ.get("EEO_BASE_URL") or DEFAULT_BASE_URL
    if not sid:
        raise _Usage("no school ID: set EEO_SID or pass --sid", EXIT_CREDENTIALS)
    if not secret:
        raise _Usage("no secret: set EEO_SECRET or pass --secret-file", EXIT_CREDENTIALS)
    return sid, secret, base_url


def _client(args: argparse.Namespace) -> Client:
    sid, secret, base_url = _credentials(args)
    try:
        return Client(sid, secret, base_url=base_url, max_attempts=args.max_attempts)
    except InputError as exc:
        raise _Usage(str(exc), EXIT_CREDENTIALS) from None


def _job_spec(args: argparse.Namespace) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The operation, its arguments, and the job's identity (for the journal)."""
    course = args.course
    items: list[Any]
    previous = BatchReport.from_json(args.only_failed.read_bytes()) if args.only_failed else None
    if args.command == "enroll":
        if previous is not None:
            _same_job(previous, "enroll", course, {})
            pairs = previous.failed_keys
            return (
                "enroll_pairs",
                {"course_id": course, "pairs": pairs},
                {"op": "enroll", "course": course},
            )
        students = read_ids(_need(args.students, "--students"), args.column)
        classes = read_ids(_need(args.lessons, "--lessons"), args.column)
        arguments = {"course_id": course, "student_uids": students, "class_ids": classes}
        return "enroll", arguments, {"op": "enroll", "course": course}
    if args.command == "remove":
        identity = {"op": "remove", "course": course, "lesson": args.lesson}
        if previous is not None:
            _same_job(previous, "remove_students_from_lesson", course, {"class_id": args.lesson})
            items = previous.failed_keys
        else:
            items = read_ids(_need(args.students, "--students"), args.column)
        arguments = {"course_id": course, "class_id": args.lesson, "student_uids": items}
        return "remove_students_from_lesson", arguments, identity
    identity = {"op": "add-lessons", "course": course, "student": args.student}
    if previous is not None:
        _same_job(previous, "add_student_to_lessons", course, {"student_uid": args.student})
        items = previous.failed_keys
    else:
        items = read_ids(_need(args.lessons, "--lessons"), args.column)
    arguments = {"course_id": course, "student_uid": args.student, "class_ids": items}
    return "add_student_to_lessons", arguments, identity


def _need(path: Path | None, flag: str) -> Path:
    if path is None:
        message = f"{flag} is required (or --only-failed REPORT)"
        raise _Usage(message)
    return path


def _same_job(
    report: BatchReport[Any], operation: str, course: str, target: dict[str, str]
) -> None:
    wanted = {k: int(v) for k, v in target.items()}
    if (
        report.operation != operation
        or str(report.course_id) != str(course)
        or any(report.target.get(k) != v for k, v in wanted.items())
    ):
        message = (
            f"--only-failed report is of another job ({report.operation}, course "
            f"{report.course_id}, {report.target})"
        )
        raise _Usage(message)
    if not report.failed_keys:
        message = "--only-failed: the report has no failed items; nothing to do"
        raise _Usage(message, EXIT_OK)


def _plain_progress() -> Callable[[int, int], None]:
    """Progress as a line on stderr every 10% or 5 seconds (for cron and logs)."""
    state = {"step": 0, "at": time.monotonic()}

    def show(done: int, total: int) -> None:
        step = done * 10 // max(total, 1)
        now = time.monotonic()
        if step > state["step"] or now - state["at"] >= 5 or done == total:
            state["step"], state["at"] = step, now
            _err(f"progress: {done}/{total} items ({done * 100 // max(total, 1)}%)")

    return show


def _write_report(report: BatchReport[Any], path: Path | None) -> None:
    if path is None:
        return
    if path.suffix.lower() == ".csv":
        report.to_csv(path)
    else:
        path.write_text(report.to_json(), encoding="utf-8")
    print(f"report written to {path}")


# ------------------------------------------------------------------------ commands


async def _run_job(args: argparse.Namespace) -> int:
    operation, arguments, identity = _job_spec(args)
    if args.dry_run:
        # No credentials needed: nothing is sent.
        planned = plan(operation, arguments, MAX_CHUNK_SIZE)
        print(
            f"dry run: {operation} would send {planned.items} items in {planned.calls} calls "
            f"(at most {planned.max_chunk} items a call, {planned.duplicates} duplicates "
            "dropped); nothing was sent"
        )
        return EXIT_OK
    async with _client(args) as client:
        tty = sys.stderr.isatty()
        wanted = args.progress is not False
        batcher = Batcher(
            client,
            concurrency=args.concurrency,
            max_attempts=args.max_attempts,
            on_progress=_plain_progress() if wanted and not tty else None,
            probe_first=True,
        )
        journal = Journal(args.journal, identity) if args.journal else None
        try:
            skip = journal.finished(pairs=operation.startswith("enroll")) if journal else None
            if skip:
                _err(f"journal {args.journal}: {len(skip)} items already done, skipped")
            method = getattr(batcher, operation)
            report: BatchReport[Any] = await method(
                **arguments,
                progress=wanted and tty,
                skip=skip,
                on_items=journal.record if journal else None,
            )
        finally:
            if journal is not None:
                journal.close()
    print(report.summary())
    _write_report(report, args.report)
    if report.stopped_by == "credentials":
        _err("error: the server refused the credentials (errno 102): check SID, secret and clock")
        return EXIT_CREDENTIALS
    return EXIT_OK if report.ok else EXIT_FAILED


async def _run_group(args: argparse.Namespace) -> int:
    groups = read_groups(args.groups)
    async with _client(args) as client:
        if args.dry_run:
            members = sum(len(g) for g in groups)
            print(
                f"dry run: one addCourseGroup call, {len(groups)} groups, {members} "
                "students; nothing was sent"
            )
            return EXIT_OK
        result = await client.add_course_group(args.course, args.name, groups)
    note = " (some student UIDs were wrong: errno 898)" if result.partial else ""
    print(f"group plan {result.group_id} created for course {args.course}{note}")
    return EXIT_OK


def _report_command(args: argparse.Namespace) -> int:
    try:
        report = BatchReport.from_json(args.file.read_bytes())
    except OSError as exc:
        message = f"cannot read {args.file}: {exc.strerror}"
        raise _Usage(message) from None
    print(report.summary())
    return EXIT_OK if report.ok else EXIT_FAILED


async def _sandbox_command(args: argparse.Namespace) -> int:
    from .testing import Course, Sandbox, serve  # noqa: PLC0415 - only this command needs it

    def ready(sandbox: Sandbox, course: Course | None, students: list[int]) -> None:
        print(f"sandbox listening on {sandbox.base_url} (Ctrl-C to stop)")
        print(f"  EEO_SID={sandbox.sid} EEO_BASE_URL={sandbox.base_url}")
        print("  EEO_SECRET: the throwaway sandbox default documented in the README")
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
        on_ready=ready,
    )
    return EXIT_OK  # pragma: no cover - serve() only ends by cancellation


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "report":
        return _report_command(args)
    if args.command == "demo":
        from ._demo import run_demo  # noqa: PLC0415 - only this command needs the sandbox

        return asyncio.run(run_demo(args))
    if args.command == "sandbox":
        return asyncio.run(_sandbox_command(args))
    if args.command == "group":
        return asyncio.run(_run_group(args))
    return asyncio.run(_run_job(args))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``eeo-async`` command; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        _err("interrupted: finished items are in the journal (if any); run again to resume")
        return EXIT_INTERRUPTED
    except _Usage as exc:
        if exc.code == EXIT_OK:
            print(exc)
        else:
            _err(f"error: {exc}")
        return exc.code
    except InputError as exc:
        _err(f"error: {exc}" if "\n" not in str(exc) else str(exc))
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


if __name__ == "__main__":
    sys.exit(main())
