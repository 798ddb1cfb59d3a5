"""The API area of live broadcast and recordings of lessons: its rows and typed methods."""

from __future__ import annotations

from .._client import BaseClient


class Live(BaseClient):
    """The typed methods of live broadcast and recordings of lessons (mixed into ``eeo_async.Client``)."""
