"""The courses-and-lessons rows against the docs' index, and the code table's own rules."""

from __future__ import annotations

from pathlib import Path

import eeo_async as eeo
from eeo_async._api.documented import DOCUMENTED
from eeo_async._api.registry import ROWS
from eeo_async._codes import ALREADY_ANY, SIDE_ANY, Errno

INDEX = Path(__file__).resolve().parents[2] / "shared" / "reference" / "api" / "actions.json"
#: The classroom actions this area serves (every one of the docs' classroom section).
CLASSROOM = {
    "addCourse": "add_course",
    "editCourse": "edit_course",
    "endCourse": "end_course",
    "addCourseClass": "add_course_class",
    "addCourseClassMultiple": "add_course_class_multiple",
    "editCourseClass": "edit_course_class",
    "modifyClassSeatNum": "modify_class_seat_num",
    "delCourseClass": "del_course_class",
    "delEndCourseClass": "del_end_course_class",
    "addCourseStudent": "add_course_student",
    "delCourseStudent": "del_course_student",
    "modifyCourseTeacher": "modify_course_teacher",
    "removeCourseTeacher": "remove_course_teacher",
    "addCourseTeacher": "add_course_teacher",
    "addCourseLabels": "add_course_labels",
    "addClassLabels": "add_class_labels",
}


def test_every_classroom_action_of_the_docs_has_a_row_and_a_method() -> None:
    """Each documented classroom action is a row at its path, with its typed method."""
    documented = {doc.action: doc for doc in DOCUMENTED}
    for action, method in CLASSROOM.items():
        entry = documented[action]
        row = ROWS[action]
        assert (row.generation, row.path) == (entry.generation, entry.path), action
        assert getattr(eeo.Client, method).__eeo_endpoint__ is row


def test_every_creation_sends_a_unique_identity_and_is_safe_to_repeat() -> None:
    """Creation rows take ``unique_identity`` (or lessons carrying one) and may be re-sent."""
    for action in ("addCourse", "addCourseClass"):
        params = {p.name: p.wire for p in ROWS[action].params}
        assert params["unique_identity"] == "courseUniqueIdentity"
        assert ROWS[action].idempotent
        assert Errno.IDENTITY_EXISTS in ROWS[action].already
    assert ROWS["addCourseClassMultiple"].idempotent
    assert ROWS["addCourseClassMultiple"].max_items == 30


def test_side_answers_of_lessons_are_successes_with_a_warning() -> None:
    """280/281/824 (created), 282-284/825 (edited) and 823 (deleted) are side codes."""
    assert {280, 281, 824, 121601002} <= ROWS["addCourseClassMultiple"].side
    assert {282, 283, 284, 825} <= ROWS["editCourseClass"].side
    assert ROWS["delCourseClass"].side == {823}
    assert {280, 281, 282, 283, 284, 823, 824, 825} <= SIDE_ANY
    assert {146, 188, 212, 316, 398} <= ALREADY_ANY


def test_no_code_is_listed_twice() -> None:
    """Every value of the code table has one name (a second would silently be an alias)."""
    assert len(Errno.__members__) == len(list(Errno))
