"""Sandbox area "school": school labels, the replay settings, sub-accounts.

Actions addSchoolLabel, updateSchoolLabel, deleteSchoolLabel, deleteSubSchoolAccount
(v1) and ``/school/modifySchoolConf`` (v2, editSchoolSettings). Its state is
``SchoolSettings``; sub-accounts are the members' ``Roster.sub_accounts`` (they cannot
be stopped as teachers either). Read so from the pages:

- addSchoolLabel: 100 (no name), 353 with ``{"labelId"}`` when a label of that name
  exists (since 2022-11-20, so adding is idempotent), 354 past 100 labels, 1 with
  ``{"labelId": "<id>"}`` (a string, as the sample). Names are stored cut to 20
  characters, as the page says, and compared after the cut.
- updateSchoolLabel: 100, 355 (``SchoolSettings.foreign_labels``: another school's), 356
  (no such label), 353 when a label has the new name, the label itself included (the
  page does not say; the sandbox's reading, which makes a repeated rename answer 353),
  1. deleteSchoolLabel: 100, 355, 356 (also on a repeat), 1.
- deleteSubSchoolAccount: 100, 22101 (not a sub-account: also on a repeat), 1.
- modifySchoolConf (v2): 121601030 when neither setting is given, 101001001 for a value
  other than 0 or 1, 1 with ``{}``.
"""

# The production's Chinese messages use full-width punctuation; they are kept verbatim.
# ruff: noqa: RUF001

from __future__ import annotations

import itertools
import random
from typing import Any, Final

import attrs

from .._codes import Errno
from ._members import Roster
from ._messages import Texts
from ._route import Area, v1, v2
from ._school import School
from ._wire import V2_BAD_VALUE, V2_PARAMETERS, Answer, int_field, text_field

#: Most labels a school has (354 past it), and the longest name kept.
MAX_LABELS: Final = 100
LABEL_CHARS: Final = 20
_SETTINGS: Final = ("allowViewReplay", "allowNewStudentViewReplay")


@attrs.define
class SchoolSettings:
    """The school area's state: labels, replay settings.

    Attributes:
        labels: the school's labels, names by label ID: those addSchoolLabel made and
            those seeded with :meth:`add_labels` (the labels addCourseLabels and
            addClassLabels accept; 358 for any other).
        foreign_labels: label IDs of another school (355).
        settings: ``allowViewReplay`` and ``allowNewStudentViewReplay`` as set (0 or 1).
    """

    labels: dict[int, str] = attrs.Factory(dict)
    foreign_labels: set[int] = attrs.Factory(set)
    settings: dict[str, int] = attrs.Factory(dict)
    ids: itertools.count[int] = attrs.Factory(lambda: itertools.count(363))

    def add_labels(self, count: int) -> list[int]:
        """Make ``count`` school labels (named ``label <ID>``); their IDs."""
        made = list(itertools.islice(self.ids, count))
        self.labels.update({label_id: f"label {label_id}" for label_id in made})
        return made

    def label_named(self, name: str) -> int | None:
        """The ID of the label named ``name``, if any."""
        return next((i for i, text in self.labels.items() if text == name), None)


def _name(form: dict[str, Any]) -> str:
    name = text_field(form, "labelName").strip()
    if not name:
        raise Answer(Errno.BAD_PARAMETERS)
    return name[:LABEL_CHARS]


def _own_label(state: SchoolSettings, form: dict[str, Any]) -> int:
    label_id = int_field(form, "labelId")
    if label_id in state.foreign_labels:
        raise Answer(Errno.LABEL_NOT_OURS)
    if label_id not in state.labels:
        raise Answer(Errno.LABEL_NOT_FOUND)
    return label_id


def add_school_label(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """addSchoolLabel: a new label, or 353 with the existing one's ID."""
    name = _name(form)
    state = school.state(SchoolSettings)
    found = state.label_named(name)
    if found is not None:
        return school.envelope(Errno.LABEL_EXISTS, {"labelId": str(found)})
    if len(state.labels) >= MAX_LABELS:
        raise Answer(Errno.TOO_MANY_LABELS)
    label_id = next(state.ids)
    state.labels[label_id] = name
    return school.envelope(Errno.OK, {"labelId": str(label_id)})


def update_school_label(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """updateSchoolLabel: rename a label; 353 when any label has the name."""
    state = school.state(SchoolSettings)
    label_id = _own_label(state, form)
    name = _name(form)
    if state.label_named(name) is not None:
        raise Answer(Errno.LABEL_EXISTS)
    state.labels[label_id] = name
    return school.envelope(Errno.OK)


def delete_school_label(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """deleteSchoolLabel: 356 when there is no such label (a repeat too)."""
    state = school.state(SchoolSettings)
    del state.labels[_own_label(state, form)]
    return school.envelope(Errno.OK)


def delete_sub_school_account(
    school: School, form: dict[str, Any], rng: random.Random
) -> dict[str, Any]:
    """deleteSubSchoolAccount: 22101 when the UID is not a sub-account (a repeat too)."""
    uid = int_field(form, "UID")
    roster = school.state(Roster)
    if uid not in roster.sub_accounts:
        raise Answer(Errno.SUB_ACCOUNT_NOT_FOUND)
    roster.sub_accounts.discard(uid)
    return school.envelope(Errno.OK)


def modify_school_conf(school: School, body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """``/school/modifySchoolConf``: the two replay settings (v2)."""
    given: dict[str, int] = {name: body[name] for name in _SETTINGS if name in body}
    if not given:
        raise Answer(V2_PARAMETERS)
    if any(value not in (0, 1) or isinstance(value, bool) for value in given.values()):
        raise Answer(V2_BAD_VALUE)
    school.state(SchoolSettings).settings.update(given)
    return school.envelope_v2(Errno.OK, {})


AREA: Final = Area(
    "labels",
    routes=(
        v1("addSchoolLabel", add_school_label),
        v1("updateSchoolLabel", update_school_label),
        v1("deleteSchoolLabel", delete_school_label),
        v1("deleteSubSchoolAccount", delete_sub_school_account),
        v2("/school/modifySchoolConf", modify_school_conf),
    ),
    texts=Texts(
        zh={
            Errno.OPERATION_FAILED: "操作失败（未知错误）",
            Errno.LABEL_EXISTS: "标签已经存在",
            Errno.TOO_MANY_LABELS: "超过标签库的数量上限",
            Errno.LABEL_NOT_OURS: "标签不属于该机构",
            Errno.LABEL_NOT_FOUND: "不存在此 ID 的标签",
            Errno.SUB_ACCOUNT_NOT_FOUND: "该子账号不存在",
            V2_PARAMETERS: "缺少必传参数",
        }
    ),
)
