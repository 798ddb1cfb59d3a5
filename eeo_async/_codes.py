"""Every errno of the documented endpoints, with its English meaning and its family."""

from __future__ import annotations

import enum


class Errno(enum.IntEnum):
    """An ``errno`` the ClassIn partner API documents for these endpoints.

    ``Errno(102).meaning`` is the documented English text. Values the documents do not
    list still reach callers as plain ints; use :func:`describe` for either.
    """

    meaning: str

    def __new__(cls, value: int, meaning: str) -> Errno:
        member = int.__new__(cls, value)
        member._value_ = value
        member.meaning = meaning
        return member

    OK = 1, "Successful execution."
    BAD_PARAMETERS = 100, "Incomplete or incorrect parameters."
    NO_PERMISSION = 102, "No permission (security verification failed)."
    OPERATION_FAILED = 104, "Operation failure (unknown error)."
    PHONE_NOT_REGISTERED = 113, "The mobile phone number has not been registered yet."
    SERVER_BUSY = 114, "Server exception."
    TEACHER_AS_STUDENT = 129, "Course teachers cannot be set as students."
    DUPLICATE_REQUEST = 131, "An identical request is already being processed."
    ILLEGAL_PHONE = 134, "Illegal mobile phone number."
    LESSON_NOT_IN_COURSE = 142, "There is no information about the lesson in the course."
    LESSON_NOT_FOUND = 143, "There is no information about this lesson."
    COURSE_NOT_FOUND = 144, "There is no such course in your institution."
    LESSON_FINISHED = 145, "The lesson is finished."
    COURSE_DELETED = 149, "The course has been deleted."
    COURSE_EXPIRED = 153, "The course is expired and cannot be edited."
    STUDENTS_EMPTY = 155, "Array data of students cannot be null."
    LESSON_FULL = 157, "The number of students in the lesson exceeds the limit."
    ADD_STUDENT_FAILED = 158, "Failed to add students to the lesson."
    ONLY_STUDENTS = 159, "Only support to operate students."
    AUDITOR_EXISTS = 164, "The course auditing student already exists."
    ALREADY_IN_LESSON = 166, "The student already exists in the lesson."
    NOT_IN_LESSON = 167, "The student does not exist in the lesson."
    REMOVE_STUDENT_FAILED = 171, "Failed to remove the student out of the lesson."
    LESSON_DELETED = 212, "The lesson has been deleted."
    STUDENT_NOT_IN_SCHOOL = 228, "There is no such student in your institution."
    COTEACHER_AS_STUDENT = 332, (
        "Course teachers or co-teachers cannot be set as course students "
        "or course auditing students."
    )
    ADVISOR_AS_STUDENT = 333, "The course advisor cannot be set as a course student."
    PUBLIC_COURSE = 369, (
        "Do not support to operate this type of courses and lessons (public course)."
    )
    ILLEGAL_DATA = 400, "The requested data is illegal."
    LMS_LESSON = 466, (
        "The lesson was created in the ClassIn LMS and cannot be edited via API."
    )
    ACCOUNT_DELETED = 886, "The student's account has been deleted by the user."
    GROUP_SET_FAILED = 890, "Failed to set the group."
    GROUP_EXISTS = 892, "Operation failed as there's already a group."
    LEADER_UID_ERROR = 895, "Operation failed. Leader UID error."
    STUDENTS_NOT_IN_SCHOOL = 896, (
        "Operation failed. All students do not belong to your institution."
    )
    STUDENTS_NOT_IN_COURSE = 897, "Operation failed. All students have not attended the course yet."
    GROUP_PARTIAL = 898, "Group setting succeeded. Some students' UIDs are incorrect."


#: Errnos after which sending the same request again can succeed.
TRANSIENT: frozenset[int] = frozenset({Errno.SERVER_BUSY, Errno.DUPLICATE_REQUEST})


def describe(errno: int) -> str:
    """Return the documented English meaning of ``errno``, or a neutral text if unknown."""
    try:
        return Errno(errno).meaning
    except ValueError:
        return f"Undocumented errno {errno}."
