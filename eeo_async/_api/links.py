"""The API area of login links: its rows and typed methods."""

from __future__ import annotations

from .._client import BaseClient


class Links(BaseClient):
    """The typed methods of login links (mixed into ``eeo_async.Client``)."""
