"""Every errno of the documented endpoints, with its English meaning and its family."""

from __future__ import annotations

import enum


class Errno(enum.IntEnum):
    """An ``errno`` the ClassIn partner API documents for these endpoints.

    ``Errno(102).meaning`` is the documented English text. Values the documents do not
    list still reach callers as plain ints; use :func:`describe` for either.
    """

    OK = 1
    BAD_PARAMETERS = 100
    NO_PERMISSION = 102
    OPERATION_FAILED = 104
    PHONE_NOT_REGISTERED = 113
    SERVER_BUSY = 114
    TEACHER_AS_STUDENT = 129
    DUPLICATE_REQUEST = 131
    ILLEGAL_PHONE = 134
    LESSON_NOT_IN_COURSE = 142
    LESSON_NOT_FOUND = 143
    COURSE_NOT_FOUND = 144
    LESSON_FINISHED = 145
    COURSE_DELETED = 149
    COURSE_EXPIRED = 153
    STUDENTS_EMPTY = 155
    LESSON_FULL = 157
    ADD_STUDENT_FAILED = 158
    ONLY_STUDENTS = 159
    AUDITOR_EXISTS = 164
    ALREADY_IN_LESSON = 166
    NOT_IN_LESSON = 167
    REMOVE_STUDENT_FAILED = 171
    LESSON_DELETED = 212
    STUDENT_NOT_IN_SCHOOL = 228
    COTEACHER_AS_STUDENT = 332
    ADVISOR_AS_STUDENT = 333
    PUBLIC_COURSE = 369
    ILLEGAL_DATA = 400
    LMS_LESSON = 466
    ACCOUNT_DELETED = 886
    GROUP_SET_FAILED = 890
    GROUP_EXISTS = 892
    LEADER_UID_ERROR = 895
    STUDENTS_NOT_IN_SCHOOL = 896
    STUDENTS_NOT_IN_COURSE = 897
    GROUP_PARTIAL = 898

    @property
    def meaning(self) -> str:
        """The documented English meaning of this errno."""
        return _MEANINGS[self]


_MEANINGS: dict[int, str] = {
    Errno.OK: "Successful execution.",
    Errno.BAD_PARAMETERS: "Incomplete or incorrect parameters.",
    Errno.NO_PERMISSION: "No permission (security verification failed).",
    Errno.OPERATION_FAILED: "Operation failure (unknown error).",
    Errno.PHONE_NOT_REGISTERED: "The mobile phone number has not been registered yet.",
    Errno.SERVER_BUSY: "Server exception.",
    Errno.TEACHER_AS_STUDENT: "Course teachers cannot be set as students.",
    Errno.DUPLICATE_REQUEST: "An identical request is already being processed.",
    Errno.ILLEGAL_PHONE: "Illegal mobile phone number.",
    Errno.LESSON_NOT_IN_COURSE: "There is no information about the lesson in the course.",
    Errno.LESSON_NOT_FOUND: "There is no information about this lesson.",
    Errno.COURSE_NOT_FOUND: "There is no such course in your institution.",
    Errno.LESSON_FINISHED: "The lesson is finished.",
    Errno.COURSE_DELETED: "The course has been deleted.",
    Errno.COURSE_EXPIRED: "The course is expired and cannot be edited.",
    Errno.STUDENTS_EMPTY: "Array data of students cannot be null.",
    Errno.LESSON_FULL: "The number of students in the lesson exceeds the limit.",
    Errno.ADD_STUDENT_FAILED: "Failed to add students to the lesson.",
    Errno.ONLY_STUDENTS: "Only support to operate students.",
    Errno.AUDITOR_EXISTS: "The course auditing student already exists.",
    Errno.ALREADY_IN_LESSON: "The student already exists in the lesson.",
    Errno.NOT_IN_LESSON: "The student does not exist in the lesson.",
    Errno.REMOVE_STUDENT_FAILED: "Failed to remove the student out of the lesson.",
    Errno.LESSON_DELETED: "The lesson has been deleted.",
    Errno.STUDENT_NOT_IN_SCHOOL: "There is no such student in your institution.",
    Errno.COTEACHER_AS_STUDENT: (
        "Course teachers or co-teachers cannot be set as course students "
        "or course auditing students."
    ),
    Errno.ADVISOR_AS_STUDENT: "The course advisor cannot be set as a course student.",
    Errno.PUBLIC_COURSE: (
        "Do not support to operate this type of courses and lessons (public course)."
    ),
    Errno.ILLEGAL_DATA: "The requested data is illegal.",
    Errno.LMS_LESSON: ("The lesson was created in the ClassIn LMS and cannot be edited via API."),
    Errno.ACCOUNT_DELETED: "The student's account has been deleted by the user.",
    Errno.GROUP_SET_FAILED: "Failed to set the group.",
    Errno.GROUP_EXISTS: "Operation failed as there's already a group.",
    Errno.LEADER_UID_ERROR: "Operation failed. Leader UID error.",
    Errno.STUDENTS_NOT_IN_SCHOOL: (
        "Operation failed. All students do not belong to your institution."
    ),
    Errno.STUDENTS_NOT_IN_COURSE: (
        "Operation failed. All students have not attended the course yet."
    ),
    Errno.GROUP_PARTIAL: "Group setting succeeded. Some students' UIDs are incorrect.",
}


class LocalErrno(enum.IntEnum):
    """Codes the SDK records for items the server gave no errno for (never sent by it).

    They are negative so they can never collide with the server's codes.
    """

    TRANSPORT_FAILED = -1
    BAD_ANSWER = -2
    NOT_SENT = -3

    @property
    def meaning(self) -> str:
        """What happened to the item, in words."""
        return _MEANINGS[self]


_MEANINGS.update(
    {
        LocalErrno.TRANSPORT_FAILED: "No usable HTTP answer after all attempts.",
        LocalErrno.BAD_ANSWER: "The answer was not the documented JSON after all attempts.",
        LocalErrno.NOT_SENT: "Not sent: the job stopped before this item's turn.",
    }
)

#: Errnos after which sending the same request again can succeed.
TRANSIENT: frozenset[int] = frozenset({Errno.SERVER_BUSY, Errno.DUPLICATE_REQUEST})


def describe(errno: int) -> str:
    """Return the documented English meaning of ``errno``, or a neutral text if unknown."""
    try:
        return _MEANINGS[errno]
    except KeyError:
        return f"Undocumented errno {errno}."
