"""The API area of the school's cloud drive (cloud.api.php: folders and files): its rows and typed methods."""

from __future__ import annotations

from .._client import BaseClient


class Files(BaseClient):
    """The typed methods of the school's cloud drive (cloud.api.php: folders and files) (mixed into ``eeo_async.Client``)."""
