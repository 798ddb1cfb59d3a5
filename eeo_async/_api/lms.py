"""The LMS (API v2): units, activities (classrooms and drafts) and activity members.

Reached as ``client.lms``: its rows and typed methods.
"""

from __future__ import annotations

from .base import Namespace


class Lms(Namespace):
    """The LMS's typed methods, as ``client.lms`` (API v2, signed in headers)."""
