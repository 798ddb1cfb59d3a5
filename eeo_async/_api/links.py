"""The API area of login links that open the ClassIn client into a lesson: its rows and typed methods."""

from __future__ import annotations

from .._client import BaseClient


class Links(BaseClient):
    """The typed methods of login links that open the ClassIn client into a lesson (mixed into ``eeo_async.Client``)."""
