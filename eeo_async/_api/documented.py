"""Every action the ClassIn docs list (their INDEX), as the project keeps it.

Taken from the docs' index of every action (71: the 68 of SUMMARY.md's endpoint
sections and getLoginLinked, plus modifyPasswordByTelephone, delEndCourseClass and
deleteSubSchoolAccount, which have pages outside it). A user's clone has no copy of the
docs, so the list lives here; a test holds the rows to it (every live action has a row
or a reason in ``registry.NOT_SUPPORTED``, with the generation and path the docs give).
"""

from __future__ import annotations

from typing import Final, Literal

import attrs


@attrs.frozen
class Documented:
    """One documented action: its name, generation, path, and status in the docs.

    ``status`` is ``"live"``, ``"frozen"`` (the lesson actions "no longer updated" since
    2025-05-26, which still work) or ``"deleted"``.
    """

    action: str
    generation: int
    path: str
    status: Literal["live", "frozen", "deleted"]


#: Every documented action, in the docs' order.
DOCUMENTED: Final[tuple[Documented, ...]] = (
    Documented("register", 1, "/partner/api/course.api.php", "live"),
    Documented("registerMultiple", 1, "/partner/api/course.api.php", "live"),
    Documented("modifyPassword", 1, "/partner/api/course.api.php", "live"),
    Documented("modifyPasswordByTelephone", 1, "/partner/api/course.api.php", "live"),
    Documented("addSchoolStudent", 1, "/partner/api/course.api.php", "live"),
    Documented("editSchoolStudent", 1, "/partner/api/course.api.php", "live"),
    Documented("modifyCourseStudentNickName", 2, "/schooluser/modifyCourseStudentNickName", "live"),
    Documented("addTeacher", 1, "/partner/api/course.api.php", "live"),
    Documented("editTeacher", 1, "/partner/api/course.api.php", "live"),
    Documented("stopUsingTeacher", 1, "/partner/api/course.api.php", "live"),
    Documented("restartUsingTeacher", 1, "/partner/api/course.api.php", "live"),
    Documented("updateClassStudentComment", 1, "/partner/api/course.api.php", "live"),
    Documented("addCourse", 1, "/partner/api/course.api.php", "live"),
    Documented("editCourse", 1, "/partner/api/course.api.php", "live"),
    Documented("endCourse", 1, "/partner/api/course.api.php", "live"),
    Documented("addCourseClass", 1, "/partner/api/course.api.php", "frozen"),
    Documented("addCourseClassMultiple", 1, "/partner/api/course.api.php", "frozen"),
    Documented("editCourseClass", 1, "/partner/api/course.api.php", "frozen"),
    Documented("modifyClassSeatNum", 1, "/partner/api/course.api.php", "frozen"),
    Documented("delCourseClass", 1, "/partner/api/course.api.php", "live"),
    Documented("delEndCourseClass", 1, "/partner/api/course.api.php", "live"),
    Documented("addCourseStudent", 1, "/partner/api/course.api.php", "live"),
    Documented("delCourseStudent", 1, "/partner/api/course.api.php", "live"),
    Documented("addCourseStudentMultiple", 1, "/partner/api/course.api.php", "live"),
    Documented("delCourseStudentMultiple", 1, "/partner/api/course.api.php", "live"),
    Documented("addClassStudentMultiple", 1, "/partner/api/course.api.php", "frozen"),
    Documented("delClassStudentMultiple", 1, "/partner/api/course.api.php", "frozen"),
    Documented("modifyCourseTeacher", 1, "/partner/api/course.api.php", "live"),
    Documented("removeCourseTeacher", 1, "/partner/api/course.api.php", "live"),
    Documented("addCourseTeacher", 2, "/course/addCourseTeacher", "live"),
    Documented("addCourseClassStudent", 1, "/partner/api/course.api.php", "frozen"),
    Documented("addCourseLabels", 1, "/partner/api/course.api.php", "live"),
    Documented("addClassLabels", 1, "/partner/api/course.api.php", "live"),
    Documented("addCourseGroup", 1, "/partner/api/course.api.php", "live"),
    Documented("editCourseGroup", 1, "/partner/api/course.api.php", "live"),
    Documented("delCourseGroup", 1, "/partner/api/course.api.php", "live"),
    Documented("createUnit", 2, "/lms/unit/create", "live"),
    Documented("updateUnit", 2, "/lms/unit/update", "live"),
    Documented("deleteUnit", 2, "/lms/unit/delete", "live"),
    Documented("moveActivity", 2, "/lms/unit/move", "live"),
    Documented("createActivityNoClass", 2, "/lms/activity/createActivityNoClass", "live"),
    Documented("createClassroom", 2, "/lms/activity/createClass", "live"),
    Documented("updateClassroom", 2, "/lms/activity/updateClass", "live"),
    Documented("releaseActivity", 2, "/lms/activity/release", "live"),
    Documented("deleteActivity", 2, "/lms/activity/delete", "live"),
    Documented("addStudent", 2, "/lms/activity/addStudent", "live"),
    Documented("deleteStudent", 2, "/lms/activity/deleteStudent", "live"),
    Documented("addClass", 2, "/lms/onlineDoubleTeacher/addClass", "live"),
    Documented("editClass", 2, "/lms/onlineDoubleTeacher/editClass", "live"),
    Documented("deleteClass", 2, "/lms/onlineDoubleTeacher/deleteClass", "live"),
    Documented("addSchoolLabel", 1, "/partner/api/course.api.php", "live"),
    Documented("updateSchoolLabel", 1, "/partner/api/course.api.php", "live"),
    Documented("deleteSchoolLabel", 1, "/partner/api/course.api.php", "live"),
    Documented("editSchoolSettings", 2, "/school/modifySchoolConf", "live"),
    Documented("deleteSubSchoolAccount", 1, "/partner/api/course.api.php", "live"),
    Documented("modifyGroupMemberNickname", 1, "/partner/api/course.api.php", "live"),
    Documented("getFolderList", 1, "/partner/api/cloud.api.php", "live"),
    Documented("getCloudList", 1, "/partner/api/cloud.api.php", "live"),
    Documented("getTopFolderId", 1, "/partner/api/cloud.api.php", "live"),
    Documented("uploadFile", 1, "/partner/api/cloud.api.php", "live"),
    Documented("renameFile", 1, "/partner/api/cloud.api.php", "live"),
    Documented("delFile", 1, "/partner/api/cloud.api.php", "live"),
    Documented("createFolder", 1, "/partner/api/cloud.api.php", "live"),
    Documented("renameFolder", 1, "/partner/api/cloud.api.php", "live"),
    Documented("delFolder", 1, "/partner/api/cloud.api.php", "live"),
    Documented("updateTeacherCloudFolders", 1, "/partner/api/course.api.php", "deleted"),
    Documented("setClassVideoMultiple", 1, "/partner/api/course.api.php", "live"),
    Documented("deleteClassVideo", 1, "/partner/api/course.api.php", "live"),
    Documented("updateClassLockStatus", 1, "/partner/api/course.api.php", "live"),
    Documented("getWebcastUrl", 1, "/partner/api/course.api.php", "live"),
    Documented("getLoginLinked", 1, "/partner/api/course.api.php", "live"),
)
