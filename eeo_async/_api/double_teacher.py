"""Online double-teacher lessons (API v2): sub-lessons bound to a main lesson.

Reached as ``client.double_teacher``: its rows and typed methods.
"""

from __future__ import annotations

from .base import Namespace


class DoubleTeacher(Namespace):
    """The double-teacher typed methods, as ``client.double_teacher`` (API v2)."""
