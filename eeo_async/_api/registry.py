"""Every row of the API areas, by action name, and what the docs list but the SDK does not.

The rows are found in the area modules themselves (one line per module below), so no
second table repeats them; ``NOT_SUPPORTED`` says why a documented action has no row.
"""

from __future__ import annotations

from types import ModuleType
from typing import Final

from .._wire.endpoint import Endpoint
from . import (
    course_members,
    courses,
    double_teacher,
    files,
    groups,
    labels,
    lessons,
    links,
    live,
    lms,
    members,
    new_lessons,
    school,
    students,
    users,
)

#: The area modules, each holding its rows and typed methods.
AREAS: Final[tuple[ModuleType, ...]] = (
    users,
    members,
    students,
    courses,
    course_members,
    lessons,
    new_lessons,
    labels,
    groups,
    school,
    files,
    live,
    links,
    lms,
    double_teacher,
)


def _rows(modules: tuple[ModuleType, ...]) -> dict[str, Endpoint]:
    found: dict[str, Endpoint] = {}
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, Endpoint):
                if value.action in found and found[value.action] is not value:
                    message = f"two rows for {value.action}"
                    raise ValueError(message)
                found[value.action] = value
    return found


#: Every row by the docs' action name.
ROWS: Final = _rows(AREAS)

#: Documented actions without a row, and why.
NOT_SUPPORTED: Final[dict[str, str]] = {
    "updateTeacherCloudFolders": (
        "stopped and deleted by ClassIn on 2024-08-30 (deprecated.txt); the server no "
        "longer serves it"
    ),
}
