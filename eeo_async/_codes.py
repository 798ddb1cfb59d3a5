"""Every code of both API generations, one row each: value, name, English meaning, families.

v1 answers ``error_info.errno``, v2 answers ``code``; both are numbers from one space (1
is success in both), so one table serves both. A row's *families* say what the code
means for retrying and for the truth of an outcome; everything else is derived from
them (``TRANSIENT``, ``BUSY``, ``NOT_ACTED`` ... below). Each action's row (``_api``)
still picks which "already" and "side" codes apply to it. Rows are grouped by the area
of the docs that documents them; a code shared by several pages has one row.
"""

from __future__ import annotations

import enum
from typing import Final


class Family(enum.Flag):
    """What a code means beyond its text; a row may have several families.

    Attributes:
        TRANSIENT: the same call may succeed when sent again.
        BUSY: the server says it is loaded: the adaptive limit falls.
        NOT_ACTED: answered before anything was applied, so re-sending is safe even for
            an action that is not safe to repeat.
        ALREADY: "already in the target state" for some action (its row picks it).
        SIDE: the change was made, with a side failure the message describes (a
            warning, never a failure); an action's row picks it.
        BAD_CREDENTIALS: the SID, secret or clock is wrong: a job stops at once.
        BAD_PARAMETERS: the server refused the parameters.
        NOT_FOUND: a course, lesson, student, unit, activity ... does not exist.
        SETTLES: the answer shows the item cannot be in the target state, whatever an
            earlier ambiguous attempt did, so it is ``failed``, never ``unknown``.
    """

    NONE = 0
    TRANSIENT = enum.auto()
    BUSY = enum.auto()
    NOT_ACTED = enum.auto()
    ALREADY = enum.auto()
    SIDE = enum.auto()
    BAD_CREDENTIALS = enum.auto()
    BAD_PARAMETERS = enum.auto()
    NOT_FOUND = enum.auto()
    SETTLES = enum.auto()


_F = Family
#: Gone or never there: the item cannot be in any state of it (404-like codes).
_GONE = _F.NOT_FOUND | _F.SETTLES


class Errno(enum.IntEnum):
    """A code the ClassIn API documents (v1 ``errno`` or v2 ``code``), with its meaning.

    ``Errno(144).meaning`` is the documented meaning in English and ``.families`` what
    it means for retries and outcomes. Codes the documents do not list still reach
    callers as plain ints; use :func:`describe` for either.
    """

    _meaning: str
    _families: Family

    def __new__(cls, value: int, meaning: str = "", families: Family = _F.NONE) -> Errno:
        member = int.__new__(cls, value)
        member._value_ = value
        member._meaning = meaning
        member._families = families
        return member

    # --------------------------------------------------------- both generations
    OK = 1, "Successful execution."

    # -------------------------------------------------- v1: Basic_errors, common
    BAD_PARAMETERS = 100, "Incomplete or incorrect parameters.", _F.BAD_PARAMETERS
    NO_PERMISSION = (
        102,
        "No permission (security verification failed).",
        _F.BAD_CREDENTIALS,
    )
    # "An unexpected error; re-sending is recommended" (Basic_errors): the change may
    # or may not have been made, so it is re-sent only where repeating is safe.
    OPERATION_FAILED = (
        104,
        "Operation failure (unknown error); re-sending is recommended.",
        _F.TRANSIENT | _F.BUSY,
    )
    # Basic_errors: "114: see 104" - it may come after the change was made.
    SERVER_BUSY = 114, "Server exception.", _F.TRANSIENT | _F.BUSY
    STUDENTS_EMPTY = 155, "Array data of students cannot be null.", _F.BAD_PARAMETERS
    ILLEGAL_DATA = 400, "The requested data is illegal.", _F.BAD_PARAMETERS

    # ------------------------------------------------------------- v1: users
    PHONE_NOT_REGISTERED = 113, "The mobile phone number has not been registered yet."
    ILLEGAL_STUDENT_PHONE = 125, "The student's mobile phone number is illegal."
    # Lesson_errors: identical register requests at the same time; nothing was done.
    REGISTER_FAILED = (
        131,
        "Registration failed: identical requests for the same account at the same time.",
        _F.TRANSIENT | _F.NOT_ACTED,
    )
    ILLEGAL_PHONE = 134, "Illegal mobile phone number."
    PHONE_REGISTERED = (
        135,
        "The mobile phone number is already registered (UID returned).",
        _F.ALREADY,
    )
    BAD_PASSWORD_LENGTH = 137, "Illegal password length (6 to 20 characters)."
    BAD_IMAGE_TYPE = 224, "Wrong type of uploaded image."
    ILLEGAL_NUMBER_RANGE = 288, "This number range is not allowed."
    AVATAR_FAILED = 340, "Registered, but setting the avatar failed.", _F.SIDE
    BAD_IMAGE_SIZE = 341, "Wrong size of uploaded image (300*300)."
    IMAGE_TOO_LARGE = 342, "The uploaded image is too large (1M)."
    TOO_MANY_USERS = 450, "Too many accounts (at most 10 a call).", _F.BAD_PARAMETERS
    EMAIL_REGISTERED = (
        461,
        "The email address is already registered (UID returned).",
        _F.ALREADY,
    )
    SCHOOL_STUDENT_FAILED = 820, "Registered, but adding as a school student failed.", _F.SIDE
    SCHOOL_TEACHER_FAILED = 821, "Registered, but adding as a school teacher failed.", _F.SIDE
    TEACHER_LIMIT = 845, "More than the school's maximum of enabled teachers."
    IMAGE_UPLOAD_FAILED = 103, "Putting the image on the server failed."
    ILLEGAL_TEACHER_ACCOUNT = 122, "Illegal teacher account."
    # A school's own account can never be one of its students, whatever was sent before.
    SCHOOL_ACCOUNT_AS_STUDENT = (
        128,
        "The school's account cannot be added as a student.",
        _F.SETTLES,
    )
    # stopUsingTeacher / restartUsingTeacher: the teacher must be added to the school first.
    TEACHER_NOT_IN_SCHOOL = (
        136,
        "The school has no such teacher; add the teacher to the school first.",
        _GONE,
    )
    TEACHER_NOT_FOUND = 219, "The teacher's information does not exist.", _GONE
    # modifyPasswordByTelephone: only users the school added may have their password set.
    PASSWORD_NOT_ALLOWED = (
        227,
        "No permission to change this user's password (add the user to the school as a "
        "student or teacher first).",
    )
    TEACHER_HAS_LESSONS = 317, "The teacher has unfinished lessons."
    TEACHER_HAS_COURSES = 339, "The teacher has unfinished courses."
    SCHOOL_ACCOUNT_NOT_STOPPABLE = 386, "The school's own account cannot be stopped as a teacher."
    SUB_ACCOUNT_NOT_STOPPABLE = (
        402,
        "A sub-account of the school cannot be stopped (it was made a sub-account in eeo.cn).",
    )
    # Lesson_errors: "being stopped" turns into "stopped" within minutes; the backoff of
    # one call is far shorter, so it is not retried: restart the teacher later.
    TEACHER_BEING_STOPPED = (
        800,
        "The teacher is still being stopped; restart it a few minutes later.",
    )
    SMS_NOT_ALLOWED = (
        877,
        "The parameters do not allow sending the password SMS (it needs addToSchoolMember).",
        _F.BAD_PARAMETERS,
    )
    TEACHER_ACCOUNT_CANCELLED = 884, "The teacher's account has been cancelled.", _F.SETTLES

    # ------------------------------------------ v1: courses, lessons, members
    TEACHER_AS_STUDENT = 129, "Course teachers cannot be set as students.", _F.SETTLES
    TOO_MANY_STUDENTS = 130, "More students than can be added."
    ALREADY_EXISTS = 133, "Already exists (a student or auditor account is repeated).", _F.ALREADY
    LESSON_NOT_IN_COURSE = 142, "There is no information about the lesson in the course.", _GONE
    LESSON_NOT_FOUND = 143, "There is no information about this lesson.", _GONE
    COURSE_NOT_FOUND = 144, "There is no such course in your institution.", _GONE
    # A finished lesson cannot be edited: an earlier attempt of the same job, seconds
    # before, cannot have changed it either (Lesson_errors), so 145 settles an item.
    LESSON_FINISHED = 145, "The lesson is finished.", _F.SETTLES
    NO_COURSE_INFO = 147, "There is no information about this course.", _GONE
    COURSE_DELETED = 149, "The course has been deleted.", _GONE
    COURSE_EXPIRED = 153, "The course is expired and cannot be edited.", _F.SETTLES
    # The server answers 166 (already in the lesson) before it counts seats, so 157
    # means the student is not in the lesson, whatever an earlier attempt did.
    LESSON_FULL = 157, "The number of students in the lesson exceeds the limit.", _F.SETTLES
    ADD_STUDENT_FAILED = 158, "Failed to add students to the lesson."
    ONLY_STUDENTS = 159, "Only support to operate students.", _F.BAD_PARAMETERS
    NOT_COURSE_MEMBER = 162, "The course has no such member.", _F.ALREADY
    STUDENT_IN_COURSE = 163, "The student already exists in the course.", _F.ALREADY
    AUDITOR_EXISTS = 164, "The course auditing student already exists.", _F.ALREADY
    ALREADY_IN_LESSON = 166, "The student already exists in the lesson.", _F.ALREADY
    NOT_IN_LESSON = 167, "The student does not exist in the lesson.", _F.ALREADY
    REMOVE_STUDENT_FAILED = 171, "Failed to remove the student out of the lesson."
    TEACHER_AS_AUDITOR = 174, "Teachers cannot be added as auditors.", _F.SETTLES
    # Gone for anything done to the lesson; "already" for deleting it (delCourseClass).
    LESSON_DELETED = 212, "The lesson has been deleted.", _GONE | _F.ALREADY
    # A student the school does not have cannot be a member of anything of it.
    STUDENT_NOT_IN_SCHOOL = 228, "There is no such student in your institution.", _GONE
    LESSON_COTEACHER_AS_STUDENT = (
        329,
        "A co-teacher of the lesson cannot be added as a student of the same lesson.",
        _F.SETTLES,
    )
    COTEACHER_AS_STUDENT = (
        332,
        "Course teachers or co-teachers cannot be set as course students or auditors.",
        _F.SETTLES,
    )
    ADVISOR_AS_STUDENT = 333, "The course advisor cannot be set as a course student.", _F.SETTLES
    PUBLIC_COURSE = (
        369,
        "Do not support to operate this type of courses and lessons (public course).",
    )
    # Lesson_errors: another request is creating the same course or lesson ("lower the
    # rate, then check for duplicates"): it may be this job's own earlier attempt.
    BEING_CREATED = (
        460,
        "The course or lesson is being created by another request; lower the rate.",
        _F.TRANSIENT | _F.BUSY,
    )
    STUDENT_BEING_CREATED = (
        464,
        "The course student is being created by another request; lower the rate.",
        _F.TRANSIENT | _F.BUSY,
    )
    LMS_LESSON = 466, "The lesson was created in the ClassIn LMS and cannot be edited via API."
    NICKNAME_SYNC_FAILED = 841, "Member added, but syncing the class nickname failed.", _F.SIDE
    ACCOUNT_DELETED = 886, "The student's account has been deleted by the user.", _F.SETTLES
    AUDITOR_ACCOUNT_DELETED = 887, "The auditor's account has been deleted by the user.", _F.SETTLES

    # Creating and changing courses and lessons, their teachers and labels (the
    # classroom pages and Lesson_errors). A code a repeat may meet after an earlier
    # attempt was applied is never SETTLES: 120, 268 and 454 depend on the clock or the
    # maintenance calendar, so a repeat can meet them for a lesson that exists.
    # Static checks of the request: an earlier attempt was refused the same way.
    END_BEFORE_BEGIN = 119, "The end time must be later than the start time.", _F.SETTLES
    BEGINS_TOO_SOON = 120, "The start time must be at least one minute from now."
    LESSON_IN_PROGRESS = 140, "The lesson is in progress and cannot be edited or deleted."
    # modifyCourseTeacher's table; endCourse's row takes it as "already ended".
    COURSE_ENDED = 146, "The course has ended.", _F.ALREADY
    EXPIRY_TOO_SOON = 151, "The expiry time must be at least one day from now."
    EXPIRY_BEFORE_LAST_LESSON = 152, "The expiry time cannot be before the end of the last lesson."
    EXPIRY_TOO_FAR = 154, "The expiry time must be within 5 years."
    SCHOOL_FOLDER_NOT_FOUND = 160, "There is no such cloud folder in your institution.", _GONE
    LESSON_CREATE_FAILED = 161, "Creating the lesson failed."
    LESSON_LENGTH = 165, "A lesson must last at least 15 minutes and at most 24 hours.", _F.SETTLES
    STUDENT_AS_TEACHER = 172, "Students of the course cannot be its teachers.", _F.SETTLES
    AUDITOR_AS_TEACHER = 173, "Auditors of the course cannot be its teachers.", _F.SETTLES
    LESSON_STUDENT_AS_TEACHER = 187, "Students of the lesson cannot be its teacher.", _F.SETTLES
    # modifyCourseTeacher sets the teacher of every unstarted lesson: with none, that
    # holds already (its row takes it so).
    NO_UNSTARTED_LESSON = 188, "The course has no lesson that has not started.", _F.ALREADY
    CHANGE_TEACHER_FAILED = 189, "Changing the lesson's teacher failed."
    COURSE_NOT_READY = 190, "The course has not been completely created yet."
    CLIENT_LESSON_FAILED = 220, "Adding the lesson in the client failed."
    TOO_MANY_SEATS = 259, "More students on stage than the maximum allowed."
    HEAD_TEACHER_FAILED = 260, "Setting the head teacher (course advisor) failed."
    BEGINS_TOO_LATE = 268, "The start time is out of range: it must be within 3 years."
    # Lesson_errors: "280 means the lesson was created": never create it again.
    CREATED_RECORDING_BAD = (
        280,
        "The lesson was created, but recording was not turned on: bad recording parameters.",
        _F.SIDE,
    )
    CREATED_RECORDING_FAILED = (
        281,
        "The lesson was created, but recording was not turned on: video service problem.",
        _F.SIDE,
    )
    EDITED_RECORDING_BAD = (
        282,
        "The lesson was edited, but recording was not changed: bad recording parameters.",
        _F.SIDE,
    )
    EDITED_RECORDING_LOCKED = (
        283,
        "The lesson was edited, but recording cannot be turned on within 20 minutes of the start.",
        _F.SIDE,
    )
    EDITED_RECORDING_FAILED = (
        284,
        "The lesson was edited, but recording was not changed: video service problem.",
        _F.SIDE,
    )
    NEW_HEAD_TEACHER_NOT_FOUND = 310, "The new head teacher does not exist."
    HEAD_TEACHER_HAS_LESSONS = 314, "The former head teacher has unfinished lessons."
    REMOVE_TEACHER_FAILED = 315, "Removing the teacher failed."
    # removeCourseTeacher: the teacher is not (or no longer) on the course's list.
    TEACHER_NOT_LISTED = 316, "The teacher is not on the course's teacher list.", _F.ALREADY
    COTEACHER_NOT_IN_SCHOOL = 318, "The co-teacher is not a teacher of your institution.", _GONE
    STUDENT_AS_COTEACHER = 319, "Students of the course cannot be co-teachers.", _F.SETTLES
    AUDITOR_AS_COTEACHER = 320, "Auditors of the course cannot be co-teachers.", _F.SETTLES
    TEACHER_AS_COTEACHER = 322, "The lesson's teacher cannot also be its co-teacher.", _F.SETTLES
    BAD_HEAD_TEACHER_ACCOUNT = 331, "The head teacher's account is not valid."
    HEAD_TEACHER_NOT_FOUND = 334, "The head teacher does not exist or is not your teacher."
    SEATS_LOCKED = 348, "Seats on stage cannot be changed within 20 minutes of the start."
    LOCKED_20_MINUTES = (
        350,
        "Within 20 minutes of the start the name, time, folder, seats, auto-stage and "
        "teaching mode cannot be changed.",
    )
    LESSON_LABELS_LIMIT = 357, "More labels than a lesson may have (10)."
    LABELS_NOT_FOUND = 358, "Some of the labels do not exist or were deleted."
    LABELS_NOT_OURS = 359, "Some of the labels do not belong to your institution."
    NOT_HD_SEATS = 368, "This number of students on stage does not support HD."
    ROOM_SETTING_NOT_FOUND = 371, "The classroom setting does not exist."
    ROOM_SETTING_NOT_OURS = 373, "The classroom setting does not belong to your institution."
    TEACHER_STOPPED = 387, "The teacher has been deactivated."
    COTEACHER_STOPPED = 388, "The co-teacher has been deactivated."
    HEAD_TEACHER_STOPPED = 389, "The head teacher has been deactivated."
    LESSON_RUNNING = 394, "A lesson of the course is in progress: the course cannot be ended."
    # The unique identity was used before (addCourse, addCourseClass(Multiple)): the
    # course or lesson exists (its ID comes with it where the server gives it), or it was
    # deleted in eeo.cn or the client, which does not free the identity (Lesson_errors).
    IDENTITY_EXISTS = 398, "Data already exists: the unique identity was used before.", _F.ALREADY
    COURSE_LABELS_LIMIT = 399, "More labels than a course may have (10)."
    MAINTENANCE_OVERLAP = (
        454,
        "The lesson (with 20 minutes before and after) overlaps the system maintenance.",
    )
    COTEACHER_STOPPING = 804, "The co-teacher is being deactivated."
    HEAD_TEACHER_STOPPING = 805, "The head teacher is being deactivated."
    DUAL_CAMERA_SEATS = 808, "This setting does not support the dual camera (seats must be 1)."
    # delCourseClass: deleted, but the identity stays taken (a re-creation answers 398).
    DELETED_IDENTITY_KEPT = (
        823,
        "The lesson was deleted, but deleting its unique identity failed.",
        _F.SIDE,
    )
    CREATED_INTRO_FAILED = (
        824,
        "The lesson was created, but setting its introduction failed.",
        _F.SIDE,
    )
    EDITED_INTRO_FAILED = (
        825,
        "The lesson was edited, but setting its introduction failed.",
        _F.SIDE,
    )
    HEAD_TEACHER_ACCOUNT_DELETED = 883, "The head teacher's account has been cancelled."
    COTEACHER_ACCOUNT_DELETED = 885, "The co-teacher's account has been cancelled.", _F.SETTLES
    COTEACHERS_REPEATED = 21316, "A co-teacher is given twice.", _F.BAD_PARAMETERS
    TOO_MANY_COTEACHERS = 21317, "More co-teachers than allowed."
    UNSUPPORTED_SETTING = 121601001, "A setting is not supported by the school's edition."
    # Created: the school's [online classroom] resources are over their quota (a warning).
    CREATED_OVER_QUOTA = (
        121601002,
        "Done, but the school's online-classroom resources are over their quota: contact "
        "your account manager.",
        _F.SIDE,
    )
    MONTHLY_QUOTA_UPGRADE = (
        121601003,
        "The month's lessons reached the school's limit; upgrade the account for more.",
    )
    MONTHLY_QUOTA = 121601004, "The month's lessons reached the school's limit."
    BAD_SEATS = 121601007, "The number of seats on stage is not valid."
    LESSONS_PER_COURSE = 121601070, "More lessons than a course may have."

    # ------------------------------------------------------------- v1: groups
    GROUP_SET_FAILED = 890, "Failed to set the group."
    GROUP_DELETE_FAILED = 891, "Failed to delete the group."
    GROUP_EXISTS = 892, "Operation failed as there's already a group."
    GROUP_NOT_FOUND = 893, "The group does not exist.", _F.NOT_FOUND
    LEADER_UID_ERROR = 895, "Operation failed. Leader UID error."
    STUDENTS_NOT_IN_SCHOOL = (
        896,
        "Operation failed. All students do not belong to your institution.",
    )
    STUDENTS_NOT_IN_COURSE = 897, "Operation failed. All students have not attended the course yet."
    GROUP_PARTIAL = 898, "Group setting succeeded. Some students' UIDs are incorrect.", _F.SIDE
    # modifyGroupMemberNickname: some members' class nicknames were changed, some not.
    NICKNAMES_PARTLY_FAILED = 842, "Changing the members' class nicknames partly failed.", _F.SIDE
    NICKNAMES_FAILED = 843, "Changing the members' class nicknames wholly failed."
    DELETED_STUDENT_NICKNAME = 21323, "Deleted students' class nicknames cannot be changed."

    # -------------------------------------------------------------- v1: school
    # addSchoolLabel answers 353 with the existing label's ID (since 2022-11-20), so adding
    # is idempotent; for updateSchoolLabel 353 means the new name is taken.
    LABEL_EXISTS = 353, "The label already exists (its labelId is returned).", _F.ALREADY
    TOO_MANY_LABELS = 354, "More labels than the school's label library allows (100)."
    LABEL_NOT_OURS = 355, "The label does not belong to the school.", _F.NOT_FOUND
    # Deleting answers 356 the second time: the label is not there, which is what was asked.
    LABEL_NOT_FOUND = 356, "There is no label with this ID.", _F.NOT_FOUND | _F.ALREADY
    SUB_ACCOUNT_NOT_FOUND = (
        22101,
        "The sub-account does not exist.",
        _F.NOT_FOUND | _F.ALREADY,
    )

    # ----------------------------------------------------------- v1: cloud drive
    NO_DATA = 106, "No data."
    # delFolder answers 193 the second time; for other actions the folder named is missing.
    FOLDER_NOT_FOUND = 193, "The folder does not exist.", _F.NOT_FOUND | _F.ALREADY
    FOLDER_NOT_OURS = 194, "The folder does not belong to the school (no permission).", _F.NOT_FOUND
    NO_FILE_CHOSEN = 195, "Choose a file to upload.", _F.BAD_PARAMETERS
    FOLDER_NO_PERMISSION = 196, "No permission to operate on the folder."
    UPLOAD_FAILED = 197, "Uploading the file failed."
    FILE_NOT_FOUND = 198, "The file does not exist.", _F.NOT_FOUND | _F.ALREADY
    FILE_NOT_OURS = 199, "The file does not belong to the school (no permission).", _F.NOT_FOUND
    FILE_NAME_TAKEN = 200, "A file of the same name already exists."
    # createFolder answers 206 with the existing folder's ID: creating is idempotent by name.
    FOLDER_EXISTS = (
        206,
        "A folder of the same name already exists (its folder ID is returned).",
        _F.ALREADY,
    )
    TOO_DEEP = 207, "Too many folder levels (at most 15)."
    TOO_MANY_FOLDERS = 208, "Too many folders (at most 5,000)."
    FILE_TOO_LARGE = 211, "The file is larger than the limit (500 MB)."
    STORAGE_FULL = 31000, "The storage is full: delete some files or buy more space."

    # --------------------------------------------------- v1: live and recordings
    LESSON_NOT_IN_SCHOOL = 233, "The school has no such lesson.", _GONE
    RECORD_NEEDED = 251, "Live or replay can only be turned on with recording on."
    VIDEO_LOCKED_BEFORE_START = (
        252,
        "Recording and live settings can only be changed until 20 minutes before the start.",
    )
    # setClassVideoMultiple: "the video service has a problem, retry later"; setting is
    # set-to-value, so sending it again is safe.
    VIDEO_SERVICE_PROBLEM = 253, "The video service has a problem; retry later.", _F.TRANSIENT
    NO_RECORDING = 254, "Recording was not on for the lesson: it has no video."
    LESSON_NOT_ENDED = 384, "The lesson has not ended yet."
    LOCK_NEEDS_ENDED_LESSON = 391, "The lock state of an unfinished lesson cannot be changed."
    VIDEO_NOT_FOUND = 630, "The video segment file does not exist.", _F.NOT_FOUND
    RECORDING_FAILED = 631, "Recording failed: no video file was made."
    # deleteClassVideo without fileId answers 632 the second time, with one 634.
    VIDEOS_ALL_DELETED = 632, "The videos were made but have all been deleted.", _F.ALREADY
    VIDEO_LOCKED = 633, "Deleting failed: the video files are locked (protected)."
    VIDEO_DELETED = 634, "The video segment file has already been deleted.", _F.ALREADY

    # ------------------------------------------------------------ v1: login links
    # Lesson_errors: the user is not a student, teacher, co-teacher or auditor of the lesson.
    NOT_LESSON_MEMBER = (
        150,
        "The user is not a student, teacher or auditor of the school, or not a member of the "
        "lesson.",
    )
    TELEPHONE_ACCOUNT_ONLY = (
        467,
        "Opening the client from a link needs a telephone account: bind a telephone first.",
    )
    ACCOUNT_CANCELLED = 888, "The user's account has been cancelled."

    # ------------------------------------------- v2: signing and common codes
    V2_BAD_PARAMETERS = 101001001, "Bad parameters (v2).", _F.BAD_PARAMETERS
    BAD_SIGNATURE = (
        101002005,
        "Bad or missing X-EEO-SIGN (v2): check the SID and the secret.",
        _F.BAD_CREDENTIALS,
    )
    STALE_TIMESTAMP = (
        101002006,
        "X-EEO-TS is not within 5 minutes of the server's clock (v2): check the clock.",
        _F.BAD_CREDENTIALS,
    )
    NO_TIMESTAMP = 101002008, "X-EEO-TS is missing (v2).", _F.BAD_CREDENTIALS
    # createClassroom: at most 1000 calls a minute; refused before anything is made.
    TOO_FREQUENT = (
        101003001,
        "Requests too frequent.",
        _F.TRANSIENT | _F.BUSY | _F.NOT_ACTED,
    )
    # Since 2025-11-24: identical parameters within 5 s are refused before acting.
    REPEATED_REQUEST = (
        101003002,
        "Repeated request: the same parameters within 5 seconds.",
        _F.TRANSIENT | _F.NOT_ACTED,
    )
    LMS_BAD_PARAMETERS = 121601030, "Bad parameters (v2).", _F.BAD_PARAMETERS

    # ------------------------------------------------ v2: users, courses, school
    # addCourseTeacher: a teacher of the course already ("老师或学生已经存在") is its 133.
    ALREADY_HEAD_TEACHER = 30022, "The member is already the course's head teacher.", _F.SETTLES
    COURSE_FINISHED = 30031, "The course has finished (v2).", _F.SETTLES
    COURSE_NOT_OF_SCHOOL = 121601021, "The course does not belong to your institution (v2).", _GONE
    NOT_STANDARD_COURSE = 121601022, "The course is not a standard course (v2)."
    # modifyCourseStudentNickName's internal failure (listed among the busy codes); the
    # sync is harmless to repeat.
    INTERNAL_CALL_FAILED = 101004005, "An internal service call failed.", _F.TRANSIENT | _F.BUSY
    NICKNAME_SYNC_ERROR = 110100067, "Syncing the class nickname failed."
    BUSINESS_PARAMETERS = 121601020, "Bad business parameters (v2).", _F.BAD_PARAMETERS
    SCHOOL_NOT_FOUND = 121601058, "The school does not exist (v2).", _F.NOT_FOUND
    SCHOOL_STUDENT_NOT_FOUND = 121601059, "The school has no such student (v2).", _GONE
    TOO_MANY_STUDENT_UIDS = (
        121601060,
        "More students than one call takes (100).",
        _F.BAD_PARAMETERS,
    )

    # ----------------------------------------------------------------- v2: LMS
    # createClassroom keeps the lesson codes of addCourseClass (the LMS pages list them):
    # 165, 350, 398, 121601003/4, 121601021/22 and 121601070 are rows of the v1 lesson
    # and v2 course sections above. 875 locks a classroom's edit 5 minutes before it.
    # createClassroom: the classroom exists; only its live settings failed (do not
    # create it again: change the settings with updateClassroom).
    CREATED_LIVE_FAILED = (
        267,
        "The classroom was created, but setting its live information failed.",
        _F.SIDE,
    )
    LOCKED_5_MINUTES = (
        875,
        "Within 5 minutes of the start, the name, time, cloud resources, seats and classroom "
        "mode cannot change.",
    )
    SCHOOL_IN_ARREARS = 29057, "The school's account is in arrears."
    SCHOOL_STATUS_ABNORMAL = 29060, "The school's status is abnormal."
    SAME_UNIT = 29046, "The source and the target unit are the same.", _F.BAD_PARAMETERS
    MOVE_UNIT_NOT_FOUND = 29048, "The unit does not exist.", _GONE
    MOVE_FAILED = 29050, "Moving the unit's activities failed."
    TARGET_UNIT_FULL = 29138, "The target unit would hold more activities than it may."
    ACTIVITY_DELETED = 29149, "The activity has been deleted.", _F.ALREADY | _GONE
    ACTIVITY_PUBLISHED = 29184, "The activity is already published.", _F.ALREADY
    UNIT_CREATE_FAILED = 29200, "Creating the unit failed."
    UNIT_DELETE_FAILED = 29203, "Deleting the unit failed."
    # Unit names are unique in a course; the answer carries no unit ID.
    UNIT_EXISTS = 29208, "The unit already exists (its ID is not returned).", _F.ALREADY
    # Listed among createUnit's error codes, it says the unit was made: done.
    UNIT_CREATED = 29213, "The unit was created.", _F.SIDE
    ACTIVITY_NOT_FOUND = 30002, "The activity does not exist.", _GONE
    WRONG_ACTIVITY_TYPE = 30008, "Wrong activity type (homework and tests are not supported)."
    # A unit still holding a running or finished classroom was not deleted.
    UNIT_HAS_CLASSROOMS = (
        40001,
        "The unit holds a classroom in progress or finished, so it cannot be deleted.",
        _F.SETTLES,
    )
    PUBLISHED_TO_DRAFT = 40004, "A published unit cannot go back to draft."
    CLASSROOM_IN_PROGRESS = (
        40005,
        "The classroom is in progress and cannot be deleted.",
        _F.SETTLES,
    )
    CLASSROOM_FINISHED = 40006, "The classroom has finished and cannot be deleted.", _F.SETTLES
    UNIT_NOT_FOUND = 40020, "The unit does not exist.", _F.ALREADY | _GONE
    # Only classrooms take students who are not members of the class (course).
    NOT_IN_CLASS = (
        40030,
        "The student is not in the class (only a classroom takes other students).",
        _F.SETTLES,
    )
    # createUnit: units a course; createActivityNoClass and createClassroom: activities
    # a unit (100, classrooms included).
    OVER_LIMIT = 40031, "Over the limit of units in a class, or of activities in a unit."
    UNIT_NAME_TAKEN = 50003, "Another unit of the class has this name."
    TARGET_UNIT_NOT_FOUND = 50004, "The target unit does not exist.", _GONE
    UNLOCK_CONDITION_DRAFT = 110100065, "An unlock condition of the activity is a draft."
    NO_DUAL_CAMERA = 110100066, "This setting does not support the dual camera."
    ACTIVITY_ENDED = 110100069, "The activity has ended.", _F.SETTLES
    ACTIVITY_TYPE_UNSUPPORTED = (
        110100070,
        "Wrong activity type (homework and tests are not supported).",
    )
    LMS_COURSE_EXPIRED = 121601023, "The class (course) has expired.", _F.SETTLES

    # ----------------------------------------------------- v2: double teacher
    OVER_DELETE_LIMIT = 121601016, "More lessons than one delete may remove."
    LESSON_NOT_OF_SCHOOL = 121601031, "The lesson does not belong to this school.", _GONE
    DOUBLE_TEACHER_NO_PERMISSION = 121601032, "No permission for this operation."
    LESSON_PROCESSING_FAILED = 121601033, "Processing the lesson failed."
    NOT_DOUBLE_TEACHER = 121601034, "Not an online double-teacher lesson: not supported."
    LESSON_NAME_TOO_LONG = 121601035, "A lesson name is at most 50 characters.", _F.BAD_PARAMETERS
    SUB_LESSON_FOLLOWS_MAIN = (
        121601036,
        "A sub-lesson's teacher and time cannot change: they follow the main lesson.",
    )
    MAIN_LESSON_NOT_FOUND = 121601037, "The main lesson does not exist.", _GONE
    TOO_MANY_SUB_LESSONS = 121601038, "A main lesson takes at most 100 sub-lessons."
    # One code for both: a repeat of a delete answers it, and so does a finished
    # lesson, which was not deleted; so it is neither "already" nor settling.
    LESSON_ENDED_OR_DELETED = (
        121601042,
        "The lesson has finished or has been deleted: not supported.",
    )
    NOT_SCHOOL_TEACHER = 121601044, "Not a teacher of this school."
    MAIN_AND_SUB_SAME_CLASS = (
        122301036,
        "The main and the sub classrooms must be in different classes (courses).",
        _F.BAD_PARAMETERS,
    )

    @property
    def meaning(self) -> str:
        """The documented meaning of this code, in English."""
        return self._meaning

    @property
    def families(self) -> Family:
        """What this code means for retries and outcomes (see :class:`Family`)."""
        return self._families


class LocalErrno(enum.IntEnum):
    """Codes the SDK records for items the server gave no code for (never sent by it).

    They are negative so they can never collide with the server's codes.
    """

    TRANSPORT_FAILED = -1
    BAD_ANSWER = -2
    NOT_SENT = -3
    #: The call was answered, but its data named no result for this item.
    NO_ANSWER = -4

    @property
    def meaning(self) -> str:
        """What happened to the item, in words."""
        return _LOCAL_MEANINGS[self]


_LOCAL_MEANINGS: Final[dict[int, str]] = {
    LocalErrno.TRANSPORT_FAILED: "No usable HTTP answer after all attempts.",
    LocalErrno.BAD_ANSWER: "The answer was not the documented JSON after all attempts.",
    LocalErrno.NOT_SENT: "Not sent: the job stopped before this item's turn.",
    LocalErrno.NO_ANSWER: "The answer named no result for this item.",
}


def _family(family: Family) -> frozenset[int]:
    return frozenset(code for code in Errno if family in code.families)


#: Every code of the table.
DOCUMENTED: Final = frozenset(int(code) for code in Errno)
#: Codes after which the same call may succeed when sent again: 104 ("re-sending is
#: recommended"), 114 ("see 104"), 131 and 101003002 (an identical request was in
#: progress or too recent), 460/464 (being created by another request), 101003001
#: (too frequent). Whether re-sending is *safe* is the action's business.
TRANSIENT: Final = _family(Family.TRANSIENT)
#: Transient codes that say the server is loaded: the adaptive limit falls (131 and
#: 101003002 are about one request, not the load).
BUSY: Final = _family(Family.BUSY)
#: Transient codes answered before anything was applied: safe to re-send even for an
#: action that is not safe to repeat. 104 and 114 are not here: the change may exist.
NOT_ACTED: Final = _family(Family.NOT_ACTED)
#: Every "already in the target state" code; each action's row names its own.
ALREADY_ANY: Final = _family(Family.ALREADY)
#: Every "done, with a side failure" code; each action's row names its own.
SIDE_ANY: Final = _family(Family.SIDE)
#: Bad SID, secret or clock, in either generation: a job stops at once.
BAD_CREDENTIALS: Final = _family(Family.BAD_CREDENTIALS)
#: Codes that show the item cannot be in the target state (see ``Family.SETTLES``).
SETTLES: Final = _family(Family.SETTLES)
#: Item-level codes (``data[i]``) after which that item alone is sent again.
TRANSIENT_ITEM: Final[frozenset[int]] = frozenset(
    {Errno.OPERATION_FAILED, Errno.SERVER_BUSY, Errno.STUDENT_BEING_CREATED}
)
#: Item-level codes after which the item may have been applied: the job marks it so.
MAY_HAVE_ACTED_ITEM: Final[frozenset[int]] = (TRANSIENT - NOT_ACTED) | {LocalErrno.NO_ANSWER}

#: Shortest wait in seconds before re-sending after these codes (the docs' 5 s rule;
#: a minute's window of createClassroom's 1000 calls).
MIN_WAIT: Final[dict[int, float]] = {Errno.REPEATED_REQUEST: 5.0, Errno.TOO_FREQUENT: 2.0}


def describe(errno: int) -> str:
    """Return the documented English meaning of ``errno``, or a neutral text if unknown."""
    if errno < 0:
        text = _LOCAL_MEANINGS.get(errno)
        return text if text is not None else f"Undocumented errno {errno}."
    try:
        return Errno(errno).meaning
    except ValueError:
        return f"Undocumented errno {errno}."
