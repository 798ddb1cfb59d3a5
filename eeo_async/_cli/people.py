"""The commands that add the school's members in bulk: ``teachers-add`` and ``school-students-add``.

Each reads a file of accounts and names (CSV as spreadsheets write it, or an .xlsx
sheet, through the table reader), sends addTeacher or addSchoolStudent one account a
call with the Batcher, prints the report and exits with the bulk jobs' codes. With
``--journal`` a killed job resumes where it stopped; ``--only-failed REPORT`` re-runs the
file's accounts a saved report did not finish. Adding is safe to repeat: an account
already a member answers 133, reported as already.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from .._api.client import Client
from .._api.members import SchoolMember
from .._batch.people import BULK_ROWS
from .._batch.plan import plan
from .._batch.report import BatchReport
from .._constants import MAX_CHUNK_SIZE
from .._errors import EEOError
from .._models import ItemResult
from .base import (
    EXIT_OK,
    Command,
    _check_output,
    _credential_options,
    _file_options,
    _Usage,
    _warn,
    job_options,
)
from .cells import InputFileError
from .columns import EMAIL, TELEPHONE, Column, match_header
from .files import FILES, excel_number
from .journal import fingerprint
from .rerun import _load, keys_to_resend, with_fixed_option
from .running import Batch, run_batch, run_job
from .tables import read_table

#: The account column: the docs' ``teacherAccount``/``studentAccount``, or ``account``.
ACCOUNT = Column(
    "account", ("teacherAccount", "studentAccount", "teacher_account", "student_account", "账号")
)
#: The name shown in eeo.cn: the docs' ``teacherName``/``studentName``, or ``name``.
NAME = Column(
    "name", ("teacherName", "studentName", "teacher_name", "student_name", "nickname", "姓名")
)
MEMBER_COLUMNS = (ACCOUNT, TELEPHONE, EMAIL, NAME)


@attrs.frozen
class MembersJob:
    """A members command: its Batcher verb and the words of its help."""

    verb: str
    role: str


def read_members(
    path: str | Path, *, sheet: str | None = None, encoding: str | None = None
) -> list[SchoolMember]:
    """The accounts and names of a CSV file or workbook whose header names its columns.

    Columns: ``account`` (or the docs' ``teacherAccount``/``studentAccount``), or
    ``telephone`` and/or ``email`` (the telephone wins where a row has both), and
    ``name`` (``teacherName``/``studentName``/``nickname``). Every bad row is a problem
    ``FILE:LINE: ...``, all listed before anything is returned.

    Raises:
        InputFileError: unreadable file, an unusable header or bad lines (all listed).
    """
    table = read_table(path, sheet=sheet, encoding=encoding)
    header = match_header(
        table,
        MEMBER_COLUMNS,
        warn=_warn,
        required=[[ACCOUNT, TELEPHONE, EMAIL], [NAME]],
        empty="no accounts in the file",
    )
    members: list[SchoolMember] = []
    problems: list[str] = []
    for row in header.rows:
        texts = {column.name: header.cell(row, column).text.strip() for column in MEMBER_COLUMNS}
        account = texts["account"] or texts["telephone"] or texts["email"]
        try:
            members.append(SchoolMember(account, texts["name"]))
        except EEOError as exc:
            problem = f"{table.where(row)}: {exc}"
            advice = excel_number(account, "telephone")
            if advice:
                problem += f": {advice}"
            problems.append(problem)
    if problems:
        raise InputFileError(problems)
    if not members:
        message = f"{table.path}: no accounts in the file"
        raise InputFileError([message])
    return members


def _options(job: MembersJob) -> Callable[[argparse.ArgumentParser], None]:
    def build(sub: argparse.ArgumentParser) -> None:
        _credential_options(sub, course=False)
        sub.add_argument(
            "--accounts",
            type=Path,
            required=True,
            metavar="FILE",
            help=f"accounts: {FILES}, its header naming account (or telephone or email) "
            f"and name (shown in eeo.cn as the {job.role}'s name)",
        )
        _file_options(sub)
        job_options(
            sub,
            per_call="; one account a call",
            only_failed="send only the accounts of --accounts that a re-run of this saved "
            "report (.json or .csv) settles: its unknown and not-sent accounts, and failures "
            "on a busy server",
        )
        with_fixed_option(sub)

    return build


def _only_failed(
    job: MembersJob, path: Path, members: list[SchoolMember], *, with_fixed: bool
) -> tuple[list[SchoolMember], dict[str, ItemResult]]:
    """The members whose account the saved report has not done, and its unknown ones."""
    saved = _load(path, "--only-failed ")
    if saved.key_fields != ("account",) or (saved.operation and saved.operation != job.verb):
        message = (
            f"--only-failed {path} is the report of another job ({saved.operation or 'keyed by '}"
            f"{'' if saved.operation else ', '.join(saved.key_fields)}), not of {job.verb}"
        )
        raise _Usage(message)
    failed = {str(key) for key in keys_to_resend(saved, path, with_fixed=with_fixed)}
    chosen = [member for member in members if member.account in failed]
    accounts = {member.account for member in chosen}
    # Unknown items may have been applied by the run that wrote the report: they are
    # sent as such, so an "already" answer for one is counted as this job's success.
    unsure = {
        str(key): result
        for key, result in saved.items_with("unknown").items()
        if str(key) in accounts
    }
    return chosen, unsure


def _handler(job: MembersJob) -> Callable[[argparse.Namespace], int]:
    def handle(args: argparse.Namespace) -> int:
        _check_output(args.report, "--report")
        _check_output(args.journal, "--journal")
        members = read_members(args.accounts, sheet=args.sheet, encoding=args.encoding)
        unsure: dict[str, ItemResult] = {}
        if args.only_failed is not None:
            members, unsure = _only_failed(
                job, args.only_failed, members, with_fixed=args.with_fixed
            )
        row = BULK_ROWS[job.verb]
        if args.dry_run:
            # No credentials needed: nothing is sent.
            planned = plan(row, {row.items or "": members}, MAX_CHUNK_SIZE)
            print(
                f"dry run: {job.verb} would send {planned.items} accounts in {planned.calls} "
                f"calls ({row.action}, one account a call; {planned.duplicates} repeated "
                "accounts dropped); nothing was sent"
            )
            return EXIT_OK
        return run_job(_run(job, args, members, unsure))

    return handle


async def _run(
    job: MembersJob,
    args: argparse.Namespace,
    members: list[SchoolMember],
    unsure: dict[str, ItemResult],
) -> int:
    async def send(batch: Batch) -> BatchReport[Any]:
        skip = batch.skip(unsure, pairs=False)
        # Accounts are text: a telephone comes back from the journal as a number.
        accounts = {str(k): v for k, v in skip.items()} if skip is not None else None
        return await batch.send(job.verb, members, skip=accounts)

    def identity(client: Client) -> dict[str, Any]:
        shown = sorted({(member.account, member.name) for member in members})
        return {
            "school": client.sid,
            "base_url": client.base_url,
            "operation": job.verb,
            "inputs": fingerprint(shown),
        }

    ran = await run_batch(args, send, identity=identity)
    return ran.finish(args, {"members": f"--accounts {args.accounts}"})


TEACHERS = MembersJob("add_teachers", "teacher")
SCHOOL_STUDENTS = MembersJob("add_school_students", "student")

#: The members commands, for ``main``'s table.
COMMANDS: tuple[Command, ...] = (
    Command(
        "teachers-add",
        "Add the registered accounts of a file to the school as teachers (addTeacher).",
        _options(TEACHERS),
        _handler(TEACHERS),
        """  eeo-async teachers-add --accounts teachers.xlsx --journal teachers.db \\
      --report teachers.json
  (teachers.csv or .xlsx: a header naming account (or telephone or email, or the docs'
   teacherAccount) and name (teacherName); re-running is safe: a teacher already in the
   school answers 133, reported as already; 845 means the school's teacher quota is used)""",
    ),
    Command(
        "school-students-add",
        "Add the registered accounts of a file to the school as students (addSchoolStudent).",
        _options(SCHOOL_STUDENTS),
        _handler(SCHOOL_STUDENTS),
        """  eeo-async school-students-add --accounts students.csv --report students.json
  (a header naming account (or telephone or email, or studentAccount) and name
   (studentName); an account must be registered first: eeo-async register)""",
    ),
)
