"""The ``eeo-async`` commands of LMS activities: members of one activity, or of many.

Bulk jobs like ``enroll`` and ``lesson-add`` (files, journal, dry run, progress, report,
exit codes), on the LMS's addStudent and deleteStudent (API v2).
"""

from __future__ import annotations

from typing import Final

import attrs

from .base import Command
from .bulk import _STUDENTS, BulkJob, IdFile, bulk_command
from .columns import ACTIVITY_ID

#: The activity IDs file of the pair jobs.
ACTIVITIES: Final = IdFile(
    "--activities", "activity_ids", "activity IDs", ("--activities-column",), ACTIVITY_ID
)
_ONE_FILE: Final = (attrs.evolve(_STUDENTS, column_flags=("--column", "--students-column")),)
_ACTIVITY: Final = ("--activity", "activity_id", "activity ID (a classroom's, or another kind's)")
_PAIRS: Final = ("student_uid", "activity_id")

COMMANDS: Final[tuple[Command, ...]] = (
    bulk_command(
        "activity-add",
        "Add the students of a file to one LMS activity (addStudent, API v2).",
        BulkJob("add_students_to_activity", ("student_uid",), _ONE_FILE, _ACTIVITY),
        "  eeo-async activity-add --course 176465 --activity 25096097 --students joiners.csv",
    ),
    bulk_command(
        "activity-remove",
        "Remove the students of a file from one LMS activity (deleteStudent, API v2).",
        BulkJob("remove_students_from_activity", ("student_uid",), _ONE_FILE, _ACTIVITY),
        "  eeo-async activity-remove --course 176465 --activity 25096097 --students leavers.txt",
    ),
    bulk_command(
        "enroll-activities",
        "Add every student of a file to every LMS activity of a file (addStudent).",
        BulkJob("enroll_activities", _PAIRS, (_STUDENTS, ACTIVITIES)),
        """  eeo-async enroll-activities --course 176465 --students students.csv \\
      --activities classrooms.csv --activities-column activity_id \\
      --journal enroll.db --report report.json""",
    ),
    bulk_command(
        "unenroll-activities",
        "Remove every student of a file from every LMS activity of a file (deleteStudent).",
        BulkJob("unenroll_activities", _PAIRS, (_STUDENTS, ACTIVITIES)),
        "  eeo-async unenroll-activities --course 176465 --students leavers.txt "
        "--activities classrooms.txt",
    ),
)
