"""The API area of the school: its rows and typed methods."""

from __future__ import annotations

from .._client import BaseClient


class School(BaseClient):
    """The typed methods of the school (mixed into ``eeo_async.Client``)."""
