"""Every errno of the documented endpoints: its English meaning and its retry family.

This is the one place that knows which errnos are worth sending again (``TRANSIENT``),
which mean "the item was already in the target state" (each action's row in ``_wire``
picks its own from ``ALREADY_ANY``), and how long to wait before one is sent again
(``MIN_WAIT``). Everything else derives from these tables.
"""

from __future__ import annotations

import enum
from typing import Final


class Errno(enum.IntEnum):
    """An ``errno`` the ClassIn partner API documents for the enrolment family.

    ``Errno(102).meaning`` is the documented meaning in English. Values the documents do
    not list still reach callers as plain ints; use :func:`describe` for either.
    """

    OK = 1
    BAD_PARAMETERS = 100
    NO_PERMISSION = 102
    OPERATION_FAILED = 104
    PHONE_NOT_REGISTERED = 113
    SERVER_BUSY = 114
    ILLEGAL_STUDENT_PHONE = 125
    TEACHER_AS_STUDENT = 129
    TOO_MANY_STUDENTS = 130
    REGISTER_FAILED = 131
    ALREADY_EXISTS = 133
    ILLEGAL_PHONE = 134
    PHONE_REGISTERED = 135
    BAD_PASSWORD_LENGTH = 137
    LESSON_NOT_IN_COURSE = 142
    LESSON_NOT_FOUND = 143
    COURSE_NOT_FOUND = 144
    LESSON_FINISHED = 145
    NO_COURSE_INFO = 147
    COURSE_DELETED = 149
    COURSE_EXPIRED = 153
    STUDENTS_EMPTY = 155
    LESSON_FULL = 157
    ADD_STUDENT_FAILED = 158
    ONLY_STUDENTS = 159
    NOT_COURSE_MEMBER = 162
    STUDENT_IN_COURSE = 163
    AUDITOR_EXISTS = 164
    ALREADY_IN_LESSON = 166
    NOT_IN_LESSON = 167
    REMOVE_STUDENT_FAILED = 171
    TEACHER_AS_AUDITOR = 174
    LESSON_DELETED = 212
    BAD_IMAGE_TYPE = 224
    STUDENT_NOT_IN_SCHOOL = 228
    ILLEGAL_NUMBER_RANGE = 288
    LESSON_COTEACHER_AS_STUDENT = 329
    COTEACHER_AS_STUDENT = 332
    ADVISOR_AS_STUDENT = 333
    AVATAR_FAILED = 340
    BAD_IMAGE_SIZE = 341
    IMAGE_TOO_LARGE = 342
    PUBLIC_COURSE = 369
    ILLEGAL_DATA = 400
    TOO_MANY_USERS = 450
    BEING_CREATED = 460
    EMAIL_REGISTERED = 461
    STUDENT_BEING_CREATED = 464
    LMS_LESSON = 466
    SCHOOL_STUDENT_FAILED = 820
    SCHOOL_TEACHER_FAILED = 821
    NICKNAME_SYNC_FAILED = 841
    TEACHER_LIMIT = 845
    ACCOUNT_DELETED = 886
    AUDITOR_ACCOUNT_DELETED = 887
    GROUP_SET_FAILED = 890
    GROUP_DELETE_FAILED = 891
    GROUP_EXISTS = 892
    GROUP_NOT_FOUND = 893
    LEADER_UID_ERROR = 895
    STUDENTS_NOT_IN_SCHOOL = 896
    STUDENTS_NOT_IN_COURSE = 897
    GROUP_PARTIAL = 898
    TOO_FREQUENT = 101003001
    REPEATED_REQUEST = 101003002

    @property
    def meaning(self) -> str:
        """The documented meaning of this errno, in English."""
        return _MEANINGS[self]


_MEANINGS: dict[int, str] = {
    Errno.OK: "Successful execution.",
    Errno.BAD_PARAMETERS: "Incomplete or incorrect parameters.",
    Errno.NO_PERMISSION: "No permission (security verification failed).",
    Errno.OPERATION_FAILED: "Operation failure (unknown error); re-sending is recommended.",
    Errno.PHONE_NOT_REGISTERED: "The mobile phone number has not been registered yet.",
    Errno.SERVER_BUSY: "Server exception.",
    Errno.ILLEGAL_STUDENT_PHONE: "The student's mobile phone number is illegal.",
    Errno.TEACHER_AS_STUDENT: "Course teachers cannot be set as students.",
    Errno.TOO_MANY_STUDENTS: "More students than can be added.",
    Errno.REGISTER_FAILED: (
        "Registration failed: identical requests for the same account at the same time."
    ),
    Errno.ALREADY_EXISTS: "Already exists (a student or auditor account is repeated).",
    Errno.ILLEGAL_PHONE: "Illegal mobile phone number.",
    Errno.PHONE_REGISTERED: "The mobile phone number is already registered (UID returned).",
    Errno.BAD_PASSWORD_LENGTH: "Illegal password length (6 to 20 characters).",
    Errno.LESSON_NOT_IN_COURSE: "There is no information about the lesson in the course.",
    Errno.LESSON_NOT_FOUND: "There is no information about this lesson.",
    Errno.COURSE_NOT_FOUND: "There is no such course in your institution.",
    Errno.LESSON_FINISHED: "The lesson is finished.",
    Errno.NO_COURSE_INFO: "There is no information about this course.",
    Errno.COURSE_DELETED: "The course has been deleted.",
    Errno.COURSE_EXPIRED: "The course is expired and cannot be edited.",
    Errno.STUDENTS_EMPTY: "Array data of students cannot be null.",
    Errno.LESSON_FULL: "The number of students in the lesson exceeds the limit.",
    Errno.ADD_STUDENT_FAILED: "Failed to add students to the lesson.",
    Errno.ONLY_STUDENTS: "Only support to operate students.",
    Errno.NOT_COURSE_MEMBER: "The course has no such member.",
    Errno.STUDENT_IN_COURSE: "The student already exists in the course.",
    Errno.AUDITOR_EXISTS: "The course auditing student already exists.",
    Errno.ALREADY_IN_LESSON: "The student already exists in the lesson.",
    Errno.NOT_IN_LESSON: "The student does not exist in the lesson.",
    Errno.REMOVE_STUDENT_FAILED: "Failed to remove the student out of the lesson.",
    Errno.TEACHER_AS_AUDITOR: "Teachers cannot be added as auditors.",
    Errno.LESSON_DELETED: "The lesson has been deleted.",
    Errno.BAD_IMAGE_TYPE: "Wrong type of uploaded image.",
    Errno.STUDENT_NOT_IN_SCHOOL: "There is no such student in your institution.",
    Errno.ILLEGAL_NUMBER_RANGE: "This number range is not allowed.",
    Errno.LESSON_COTEACHER_AS_STUDENT: (
        "A co-teacher of the lesson cannot be added as a student of the same lesson."
    ),
    Errno.COTEACHER_AS_STUDENT: (
        "Course teachers or co-teachers cannot be set as course students "
        "or course auditing students."
    ),
    Errno.ADVISOR_AS_STUDENT: "The course advisor cannot be set as a course student.",
    Errno.AVATAR_FAILED: "Registered, but setting the avatar failed.",
    Errno.BAD_IMAGE_SIZE: "Wrong size of uploaded image (300*300).",
    Errno.IMAGE_TOO_LARGE: "The uploaded image is too large (1M).",
    Errno.PUBLIC_COURSE: (
        "Do not support to operate this type of courses and lessons (public course)."
    ),
    Errno.ILLEGAL_DATA: "The requested data is illegal.",
    Errno.TOO_MANY_USERS: "Too many accounts (at most 10 a call).",
    Errno.BEING_CREATED: (
        "The course or lesson is being created by another request; lower the rate."
    ),
    Errno.EMAIL_REGISTERED: "The email address is already registered (UID returned).",
    Errno.STUDENT_BEING_CREATED: (
        "The course student is being created by another request; lower the rate."
    ),
    Errno.LMS_LESSON: "The lesson was created in the ClassIn LMS and cannot be edited via API.",
    Errno.SCHOOL_STUDENT_FAILED: "Registered, but adding as a school student failed.",
    Errno.SCHOOL_TEACHER_FAILED: "Registered, but adding as a school teacher failed.",
    Errno.NICKNAME_SYNC_FAILED: "Member added, but syncing the class nickname failed.",
    Errno.TEACHER_LIMIT: "More than the school's maximum of enabled teachers.",
    Errno.ACCOUNT_DELETED: "The student's account has been deleted by the user.",
    Errno.AUDITOR_ACCOUNT_DELETED: "The auditor's account has been deleted by the user.",
    Errno.GROUP_SET_FAILED: "Failed to set the group.",
    Errno.GROUP_DELETE_FAILED: "Failed to delete the group.",
    Errno.GROUP_EXISTS: "Operation failed as there's already a group.",
    Errno.GROUP_NOT_FOUND: "The group does not exist.",
    Errno.LEADER_UID_ERROR: "Operation failed. Leader UID error.",
    Errno.STUDENTS_NOT_IN_SCHOOL: (
        "Operation failed. All students do not belong to your institution."
    ),
    Errno.STUDENTS_NOT_IN_COURSE: (
        "Operation failed. All students have not attended the course yet."
    ),
    Errno.GROUP_PARTIAL: "Group setting succeeded. Some students' UIDs are incorrect.",
    Errno.TOO_FREQUENT: "Requests too frequent.",
    Errno.REPEATED_REQUEST: "Repeated request: the same parameters within 5 seconds.",
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

#: Call-level errnos after which the same request may succeed when sent again: 104
#: ("re-sending is recommended"), 114 ("see 104"), 131 and 101003002 (an identical
#: request was in progress or too recent), 460/464 (being created by another request),
#: 101003001 (too frequent). Whether re-sending is *safe* is the action's business.
TRANSIENT: Final[frozenset[int]] = frozenset(
    {
        Errno.OPERATION_FAILED,
        Errno.SERVER_BUSY,
        Errno.REGISTER_FAILED,
        Errno.BEING_CREATED,
        Errno.STUDENT_BEING_CREATED,
        Errno.TOO_FREQUENT,
        Errno.REPEATED_REQUEST,
    }
)

#: Item-level errnos (``data[i].errno``) after which that item alone is sent again.
TRANSIENT_ITEM: Final[frozenset[int]] = frozenset({Errno.SERVER_BUSY, Errno.STUDENT_BEING_CREATED})

#: Transient errnos that say the server is busy and the rate should fall (adaptive
#: concurrency reads this; 131/101003002 are about one request, not the load).
BUSY: Final[frozenset[int]] = frozenset(
    {
        Errno.OPERATION_FAILED,
        Errno.SERVER_BUSY,
        Errno.BEING_CREATED,
        Errno.STUDENT_BEING_CREATED,
        Errno.TOO_FREQUENT,
    }
)

#: Transient errnos the server answers before acting at all: safe to re-send even for
#: an action that is not idempotent. 104 is not here: the docs call it an unexpected
#: error after which the change may or may not exist.
NOT_ACTED: Final[frozenset[int]] = frozenset(
    {
        Errno.SERVER_BUSY,
        Errno.REGISTER_FAILED,
        Errno.TOO_FREQUENT,
        Errno.REPEATED_REQUEST,
    }
)

#: Every "already in the target state" errno of the family; each action's row names
#: the ones that apply to it (166 when adding to a lesson, 167 when removing ...).
ALREADY_ANY: Final[frozenset[int]] = frozenset(
    {
        Errno.NOT_COURSE_MEMBER,
        Errno.STUDENT_IN_COURSE,
        Errno.AUDITOR_EXISTS,
        Errno.ALREADY_IN_LESSON,
        Errno.NOT_IN_LESSON,
        Errno.PHONE_REGISTERED,
        Errno.EMAIL_REGISTERED,
    }
)

#: Shortest wait in seconds before re-sending after these errnos (the docs' 5 s rule).
MIN_WAIT: Final[dict[int, float]] = {Errno.REPEATED_REQUEST: 5.0}


def describe(errno: int) -> str:
    """Return the documented English meaning of ``errno``, or a neutral text if unknown."""
    try:
        return _MEANINGS[errno]
    except KeyError:
        return f"Undocumented errno {errno}."
