"""The documented rules of a lesson, checked before anything is sent.

From addCourseClass, addCourseClassMultiple, editCourseClass and modifyClassSeatNum:
a lesson lasts 15 minutes to 24 hours (165) and ends after it begins (119); it begins
at least a minute from now (120) and within 3 years (268); at most 12 students on stage
(259), and with HD (``isHd`` 1 or 2) only 1 or 6 (368); the dual camera (``isDc`` 3)
needs exactly 1 (808); web live, replay and scene recording need recording on (280:
created, but recording failed); co-teachers are distinct (21316) and not the teacher
(322). Rules about the clock are checked when a call is planned, the others when a value
is made.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any, Final

from .._errors import InputError

#: A lesson's shortest and longest length (165).
MIN_LESSON_SECONDS: Final = 15 * 60
MAX_LESSON_SECONDS: Final = 24 * 3600
#: A lesson begins at least this far ahead (120) ...
MIN_LEAD_SECONDS: Final = 60
#: ... and at most 3 years ahead (268); leap days counted in the lesson's favour.
MAX_LEAD_SECONDS: Final = 3 * 366 * 86_400
#: Most students on stage (259; "最大上限值调整为12").
MAX_SEATS: Final = 12
#: Seats allowed with HD (``isHd`` 1 or 2): "only 1v1 or 1v6" (368).
HD_SEATS: Final = (1, 6)
#: ``isDc`` turning the second camera on: seats must then be 1 (808).
DUAL_CAMERA: Final = 3


def check_times(begin: int, end: int, where: str = "") -> None:
    """End after begin (119), a length of 15 minutes to 24 hours (165)."""
    if end <= begin:
        message = f"{where}end_time {end} is not after begin_time {begin} (errno 119)"
        raise InputError(message)
    length = end - begin
    if not MIN_LESSON_SECONDS <= length <= MAX_LESSON_SECONDS:
        message = (
            f"{where}the lesson lasts {length // 60} minutes ({begin} to {end}); a lesson "
            "lasts 15 minutes to 24 hours (errno 165)"
        )
        raise InputError(message)


def check_begin(begin: int, where: str = "", now: float | None = None) -> None:
    """A begin at least a minute from now (120) and within 3 years (268)."""
    now = time.time() if now is None else now
    if begin < now + MIN_LEAD_SECONDS:
        past = "in the past" if begin <= now else "less than a minute from now"
        message = f"{where}begin_time {begin} is {past}; a lesson begins at least a minute ahead"
        raise InputError(message)
    if begin > now + MAX_LEAD_SECONDS:
        message = f"{where}begin_time {begin} is more than 3 years ahead (errno 268)"
        raise InputError(message)


def check_stage(values: Mapping[str, Any], where: str = "") -> None:
    """Seats, HD and the dual camera agree (368, 808)."""
    seats, hd, dc = values.get("seat_num"), values.get("is_hd"), values.get("is_dc")
    if hd in (1, 2) and seats is not None and seats not in HD_SEATS:
        message = f"{where}seat_num {seats} with is_hd {hd}: HD takes 1 or 6 seats (errno 368)"
        raise InputError(message)
    if dc == DUAL_CAMERA and seats is not None and seats != 1:
        message = f"{where}seat_num {seats} with is_dc 3: the dual camera takes 1 seat (808)"
        raise InputError(message)


def check_recording(values: Mapping[str, Any], where: str = "") -> None:
    """Web live, replay and scene recording only with recording on (else 280)."""
    if values.get("record"):
        return
    needing = [name for name in ("live", "replay", "record_scene") if values.get(name)]
    if needing:
        message = (
            f"{where}{', '.join(needing)} need record on (the docs' rule; the server "
            "would create the lesson without them, errno 280)"
        )
        raise InputError(message)


def check_assistants(teacher: int | None, assistants: Iterable[int], where: str = "") -> None:
    """Co-teachers other than the teacher (322); each once is checked by their kind."""
    if teacher is not None and teacher in tuple(assistants):
        message = f"{where}assistant_uids holds the teacher {teacher} (errno 322)"
        raise InputError(message)
