"""The API area of live and recordings: its rows and typed methods."""

from __future__ import annotations

from .._client import BaseClient


class Live(BaseClient):
    """The typed methods of live and recordings (mixed into ``eeo_async.Client``)."""
