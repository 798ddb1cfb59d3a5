"""Every area the sandbox serves, one line each; the route table is made of their rows.

Adding an area is one new module (``_groups.py`` is a short example: handlers, an
optional state class, ``AREA = Area(...)``) and one line here, under the comment that
reserves its slot, so that areas added at the same time never touch the same lines.
"""

from __future__ import annotations

from importlib import import_module
from typing import Final

from ._route import Area, Route

#: The area modules of this package (``_<name>.py``, each defining ``AREA``).
AREA_MODULES: Final[tuple[str, ...]] = (
    # users: register, registerMultiple, school students and teachers
    "users",
    "members",
    "teachers",
    # courses and lessons: enrolment of course and lesson members
    "enrolment",
    # courses and lessons: creating and editing courses and lessons
    "courses",
    "lessons",
    "lesson_edits",
    # groups: course group plans
    "groups",
    # LMS: units, activities, classrooms, activity members
    "lms",
    "classrooms",
    # double-teacher: sub-lessons of a main lesson
    "double_teacher",
    # school: labels, settings, sub-accounts
    "labels",
    # cloud files: the school drive (cloud.api.php)
    "cloud",
    # live: recording, live and replay settings, player URLs
    "live",
    # links: login links
    "links",
)


def areas() -> tuple[Area, ...]:
    """The areas listed in ``AREA_MODULES``, imported in that order.

    Raises:
        TypeError: a module's ``AREA`` is not an :class:`Area`.
    """
    found = []
    for name in AREA_MODULES:
        area = import_module(f"._{name}", __package__).AREA
        if not isinstance(area, Area):
            text = f"eeo_async.testing._{name}.AREA must be an Area, got {area!r}"
            raise TypeError(text)
        found.append(area)
    return tuple(found)


def route_table() -> dict[tuple[str, str], Route]:
    """Every route of every area by (path, action), each carrying its area's texts.

    Raises:
        ValueError: two areas serve the same action or path.
    """
    table: dict[tuple[str, str], Route] = {}
    for area in areas():
        for route in area.served():
            if route.key in table:
                text = f"{route.name!r} is served twice (area {area.name!r})"
                raise ValueError(text)
            table[route.key] = route
    return table
