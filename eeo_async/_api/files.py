"""The API area of the cloud drive: its rows and typed methods."""

from __future__ import annotations

from .._client import BaseClient


class Files(BaseClient):
    """The typed methods of the cloud drive (mixed into ``eeo_async.Client``)."""
