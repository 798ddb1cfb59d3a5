"""The ``eeo-async`` command: bulk jobs from files, a report out, resumable with a journal.

Built on argparse (standard library). The subcommands are rows of one table
(:data:`COMMANDS`): name, help, the options it accepts, its handler and an example. A
bulk job's row carries a ``BulkJob`` spec (``bulk``: Batcher operation, key fields,
input files, fixed target) from which its options and handler are built, so adding one
is one row, once the Batcher has the operation. Shared pieces (exit codes in
``EXIT_CODES``, credentials, options) are in ``base``, how every job runs in
``running``; this module holds the other commands, the table and ``main``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from .._constants import (
    LOGGER_NAME,
)
from .._errors import BadCredentialsError, EEOError, InputError
from ..testing import Faults
from . import activities, people, schedule
from .base import (
    EXIT_CODES,
    EXIT_CREDENTIALS,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    Command,
    _check_output,
    _err,
    _int_between,
    _number,
    _Usage,
    error_exit,
)
from .bulk import (
    _LESSONS,
    _STUDENTS,
    BulkJob,
    bulk_command,
)
from .ending import progress_options
from .files import InputFileError
from .group import group_options, run_group
from .receive import (
    attendance,
    attendance_options,
    events,
    events_options,
    receive,
    receive_options,
)
from .register import _register, _register_options
from .rerun import _load


def _report_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("file", type=Path, help="a report written by --report (.json or .csv)")
    sub.add_argument(
        "--failed",
        action="store_true",
        help="print the failed and unknown items as CSV on stdout instead of the summary "
        "(key fields, errno, error, meaning, attempts, outcome), to pipe",
    )


def _report(args: argparse.Namespace) -> int:
    """Print a saved report's summary, or with --failed its items not done as CSV.

    Exit code 0 when every item is done, 1 otherwise, so a script can test it.
    """
    path: Path = args.file
    saved = _load(path, "")
    if args.failed:
        try:
            saved.write_csv(sys.stdout, only_not_done=True)
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader (head, say) stopped early: not an error of ours.
            _quiet_stdout()
    else:
        print(saved.summary())
    return EXIT_OK if saved.ok else EXIT_FAILED


def _quiet_stdout() -> None:
    """Point stdout at devnull so the interpreter's final flush raises nothing."""
    import os  # noqa: PLC0415 - only on a broken pipe

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _demo_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--report",
        type=Path,
        metavar="FILE",
        default=Path("eeo-demo-report.json"),
        help="write the enrolment's report here (default: eeo-demo-report.json)",
    )
    sub.add_argument(
        "--students",
        type=_int_between(1, 1_000_000),
        metavar="N",
        default=2000,
        help="students of the school (default 2000)",
    )
    sub.add_argument(
        "--lessons",
        type=_int_between(5, 10_000),
        metavar="N",
        default=150,
        help="lessons of the course (default 150)",
    )
    sub.add_argument("--seed", type=int, default=2026, help="seed of the sandbox's faults")
    sub.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on a terminal, plain lines otherwise (default: on a terminal)",
    )


def _demo(args: argparse.Namespace) -> int:
    from .demo import run_demo  # noqa: PLC0415 - only this command needs the sandbox

    _check_output(args.report, "--report")
    bar, _ = progress_options(args, [])
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
    from ..testing import Course, Sandbox, serve  # noqa: PLC0415 - only this command needs it

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
            if getattr(faults, f.name) != f.default
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


COMMANDS = (
    bulk_command(
        "enroll",
        "Add every student of a file to every lesson of a file.",
        BulkJob("enroll", ("student_uid", "class_id"), (_STUDENTS, _LESSONS)),
        """  export EEO_SID=1234567 EEO_SECRET=...        # or --sid and --secret-file
  eeo-async enroll --course 176465 --students students.csv \\
      --students-column "Student UID" --lessons lessons.txt \\
      --journal enroll.db --report report.json""",
    ),
    bulk_command(
        "unenroll",
        "Remove every student of a file from every lesson of a file.",
        BulkJob("unenroll", ("student_uid", "class_id"), (_STUDENTS, _LESSONS)),
        "  eeo-async unenroll --course 176465 --students leavers.csv --lessons lessons.txt",
    ),
    bulk_command(
        "course-add",
        "Add the students of a file to a course (addCourseStudentMultiple).",
        BulkJob(
            "add_students_to_course",
            ("student_uid",),
            (attrs.evolve(_STUDENTS, column_flags=("--column", "--students-column")),),
        ),
        "  eeo-async course-add --course 176465 --students students.csv",
    ),
    bulk_command(
        "course-remove",
        "Remove the students of a file from a course (delCourseStudentMultiple).",
        BulkJob(
            "remove_students_from_course",
            ("student_uid",),
            (attrs.evolve(_STUDENTS, column_flags=("--column", "--students-column")),),
        ),
        "  eeo-async course-remove --course 176465 --students leavers.csv",
    ),
    bulk_command(
        "lesson-add",
        "Add the students of a file to one lesson (addClassStudentMultiple).",
        BulkJob(
            "add_students_to_lesson",
            ("student_uid",),
            (attrs.evolve(_STUDENTS, column_flags=("--column", "--students-column")),),
            ("--lesson", "class_id", "lesson (class) ID"),
        ),
        "  eeo-async lesson-add --course 176465 --lesson 1212131 --students joiners.txt",
    ),
    bulk_command(
        "remove",
        "Remove the students of a file from one lesson.",
        BulkJob(
            "remove_students_from_lesson",
            ("student_uid",),
            (attrs.evolve(_STUDENTS, column_flags=("--column", "--students-column")),),
            ("--lesson", "class_id", "lesson (class) ID"),
        ),
        "  eeo-async remove --course 176465 --lesson 1212131 --students leavers.txt",
    ),
    bulk_command(
        "add-lessons",
        "Add one student to the lessons of a file.",
        BulkJob(
            "add_student_to_lessons",
            ("class_id",),
            (attrs.evolve(_LESSONS, column_flags=("--column", "--lessons-column")),),
            ("--student", "student_uid", "student UID"),
        ),
        "  eeo-async add-lessons --course 176465 --student 1001001 --lessons lessons.txt",
    ),
    *activities.COMMANDS,
    Command(
        "register",
        "Register the accounts of a CSV file (registerMultiple, 10 a call) and get their UIDs.",
        _register_options,
        _register,
        """  eeo-async register --accounts accounts.csv --uids uids.csv --report register.json
  (accounts.csv, or an .xlsx workbook: a header naming telephone or email, password or
   md5_password, and optionally nickname, add_to_school and custom_column, or the docs'
   names (md5pass, addToSchoolMember, ...); re-running the same file is safe: accounts
   already registered answer 135/461 with their UID)
  eeo-async course-add --course 176465 --students uids.csv --column uid""",
    ),
    *people.COMMANDS,
    Command(
        "group",
        "Create the group plan of a course from a file, or replace it (--replace).",
        group_options,
        run_group,
        """  eeo-async group --course 176465 --name Teams --groups groups.csv
  eeo-async group --course 176465 --name Teams --groups groups.csv --replace
  (groups.csv or .xlsx: a header group,student_uid,is_leader (other columns are named
   in a warning), then one line per student; or the documented JSON
   [[{"studentUid": 1, "isLeader": 1}, ...]]. The plan's ID is kept in
   groups.csv.plans.json, where --replace finds it.)""",
    ),
    *schedule.COMMANDS,
    Command(
        "report",
        "Summarise a saved report (.json or .csv).",
        _report_options,
        _report,
        "  eeo-async report report.json\n  eeo-async report report.json --failed > not-done.csv",
    ),
    Command(
        "demo",
        "Run a school's whole integration against the sandbox, faults on, checked item by item.",
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
    Command(
        "receive",
        "Serve ClassIn's data subscription: verify each push, store it, then ack it.",
        receive_options,
        receive,
        """  export EEO_SID=1234567 EEO_SECRET=...        # or --sid and --secret-file
  eeo-async receive --port 8080 --store events.db --path /classin
  (register https://your.host/classin with ClassIn, served by a TLS proxy to this port;
   it prints a line of counts a minute; SIGTERM stops it with exit 0, Ctrl-C with 130;
   a restart on the same store goes on where it stopped)""",
    ),
    Command(
        "events",
        "Print the messages a receive store holds (JSON lines, or --csv).",
        events_options,
        events,
        "  eeo-async events events.db --cmd End --since 2025-03-01 --csv > ends.csv",
    ),
    Command(
        "attendance",
        "Turn the stored End messages into one row per member and lesson.",
        attendance_options,
        attendance,
        "  eeo-async attendance events.db --csv > attendance.csv",
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
    return not (record.module in ("job", "stops") and str(record.msg).startswith("job stopped"))


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
    except EEOError as exc:
        _err(f"error: {exc}")
        return error_exit(exc)
    except sqlite3.Error as exc:
        _err(f"error: the journal cannot be written: {exc}")
        return EXIT_USAGE
    return code


if __name__ == "__main__":
    sys.exit(main())
