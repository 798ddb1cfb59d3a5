"""Sandbox area "groups": a course's one group plan (add, edit and delete it).

Actions addCourseGroup, editCourseGroup, delCourseGroup. Its own state is ``GroupPlans``
(the plan of each course and the next group ID). Fields are read by the docs' wire names
(``courseId``, ``groupId``, ``groupName``, ``groupList`` = a JSON string
``[[{"studentUid", "isLeader"}]]``). Read so from the pages:

- addCourseGroup: 100, 892 (the course already has a plan, not idempotent), 895 (a group
  without exactly one leader, or a leader not of the school), 896 (no UID of the
  school), 897 (no student of the school attends the course); 898 creates the plan with
  the valid UIDs only. A plan has no member limit (the docs state none); the name is
  stored cut to 20 characters.
- editCourseGroup: 100, 893 (no plan with that id), 890 (a student of the plan is not a
  school student attending the course); delCourseGroup: 100, 893 (also on a repeat).
"""

# The production's Chinese messages use full-width punctuation; they are kept verbatim.
# ruff: noqa: RUF001

from __future__ import annotations

import itertools
import random
from typing import Any, Final

import attrs

from .._codes import Errno
from ._messages import Texts
from ._route import Area, v1
from ._school import School
from ._wire import Answer, int_field, json_field

#: Longest group name kept, in characters (longer ones are cut, not refused).
MAX_GROUP_NAME_CHARS: Final = 20


@attrs.frozen
class PlanMember:
    """One student of a group in a stored plan; one member of each group leads it."""

    student_uid: int
    is_leader: bool = False


@attrs.frozen
class GroupPlan:
    """The group plan of a course, as the server stored it (name cut to 20 characters)."""

    group_id: int
    name: str
    groups: tuple[tuple[PlanMember, ...], ...]


@attrs.define
class GroupPlans:
    """The groups area's state: each course's plan, and the group IDs to hand out."""

    plans: dict[int, GroupPlan] = attrs.Factory(dict)
    ids: itertools.count[int] = attrs.Factory(lambda: itertools.count(147_667))


def course_group(school: School, course_id: int) -> GroupPlan | None:
    """The group plan of a course, if one was created."""
    return school.state(GroupPlans).plans.get(course_id)


def _group_list(form: dict[str, Any]) -> list[list[PlanMember]]:
    groups = json_field(form, "groupList")
    if not isinstance(groups, list) or not groups:
        raise Answer(Errno.BAD_PARAMETERS)
    parsed: list[list[PlanMember]] = []
    for group in groups:
        if not isinstance(group, list) or not group:
            raise Answer(Errno.BAD_PARAMETERS)
        members = []
        for entry in group:
            uid = entry.get("studentUid") if isinstance(entry, dict) else None
            leader = entry.get("isLeader") if isinstance(entry, dict) else None
            if not isinstance(uid, int) or isinstance(uid, bool) or leader not in (0, 1):
                raise Answer(Errno.BAD_PARAMETERS)
            members.append(PlanMember(uid, is_leader=leader == 1))
        parsed.append(members)
    return parsed


def add_course_group(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """addCourseGroup: create the one group plan of a course."""
    course_id = int_field(form, "courseId")
    name = form.get("groupName", "")
    parsed = _group_list(form)
    if not name or not isinstance(name, str):
        raise Answer(Errno.BAD_PARAMETERS)
    uids = [m.student_uid for g in parsed for m in g]
    if len(uids) != len(set(uids)):
        raise Answer(Errno.BAD_PARAMETERS)
    school.count_items("addCourseGroup", len(uids))
    course = school.courses.get(course_id)
    if course is None or course.deleted:
        raise Answer(Errno.BAD_PARAMETERS)
    plans = school.state(GroupPlans)
    if course_id in plans.plans:
        raise Answer(Errno.GROUP_EXISTS)
    leaders = [[m.student_uid for m in group if m.is_leader] for group in parsed]
    if any(len(found) != 1 for found in leaders):
        raise Answer(Errno.LEADER_UID_ERROR)
    in_school = [u for u in uids if u in school.student_uids]
    if not in_school:
        raise Answer(Errno.STUDENTS_NOT_IN_SCHOOL)
    if any(found[0] not in school.student_uids for found in leaders):
        raise Answer(Errno.LEADER_UID_ERROR)
    attending = school.course_students(course_id)
    valid = {u for u in in_school if u in attending}
    if not valid:
        raise Answer(Errno.STUDENTS_NOT_IN_COURSE)
    kept = tuple(
        tuple(m for m in group if m.student_uid in valid)
        for group in parsed
        if any(m.student_uid in valid for m in group)
    )
    plan = GroupPlan(next(plans.ids), name[:MAX_GROUP_NAME_CHARS], kept)
    plans.plans[course_id] = plan
    errno = Errno.OK if len(valid) == len(uids) else Errno.GROUP_PARTIAL
    return school.envelope(errno, plan.group_id)


def edit_course_group(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """editCourseGroup: replace a course's group plan."""
    course_id = int_field(form, "courseId")
    group_id = int_field(form, "groupId")
    name = form.get("groupName", "")
    parsed = _group_list(form)
    uids = [m.student_uid for g in parsed for m in g]
    leaders = [[m for m in group if m.is_leader] for group in parsed]
    if not name or not isinstance(name, str):
        raise Answer(Errno.BAD_PARAMETERS)
    if len(uids) != len(set(uids)) or any(len(found) != 1 for found in leaders):
        raise Answer(Errno.BAD_PARAMETERS)
    school.count_items("editCourseGroup", len(uids))
    plans = school.state(GroupPlans)
    plan = plans.plans.get(course_id)
    if plan is None or plan.group_id != group_id:
        raise Answer(Errno.GROUP_NOT_FOUND)
    attending = school.course_students(course_id)
    if not all(u in school.student_uids and u in attending for u in uids):
        raise Answer(Errno.GROUP_SET_FAILED)
    groups = tuple(tuple(group) for group in parsed)
    plans.plans[course_id] = GroupPlan(group_id, name[:MAX_GROUP_NAME_CHARS], groups)
    return school.envelope(Errno.OK)


def del_course_group(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """delCourseGroup: delete a course's group plan."""
    course_id = int_field(form, "courseId")
    group_id = int_field(form, "groupId")
    plans = school.state(GroupPlans)
    plan = plans.plans.get(course_id)
    if plan is None or plan.group_id != group_id:
        raise Answer(Errno.GROUP_NOT_FOUND)
    del plans.plans[course_id]
    return school.envelope(Errno.OK)


AREA: Final = Area(
    "groups",
    routes=(
        v1("addCourseGroup", add_course_group),
        v1("editCourseGroup", edit_course_group),
        v1("delCourseGroup", del_course_group),
    ),
    texts=Texts(
        zh={
            Errno.GROUP_SET_FAILED: "设置课程分组信息失败",
            Errno.GROUP_DELETE_FAILED: "删除课程分组信息失败",
            Errno.GROUP_EXISTS: "操作失败，已经创建了分组",
            Errno.GROUP_NOT_FOUND: "操作失败，此课程分组不存在",
            Errno.LEADER_UID_ERROR: "操作失败，组长uid错误",
            Errno.STUDENTS_NOT_IN_SCHOOL: "操作失败，全部为非本机构学生",
            Errno.STUDENTS_NOT_IN_COURSE: "操作失败，全部学生未参加此课程",
            Errno.GROUP_PARTIAL: "设置分组成功，部分学生uid有误",
        }
    ),
)
