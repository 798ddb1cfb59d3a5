"""The API area of school (labels, settings, sub-accounts): its rows and typed methods."""

from __future__ import annotations

from .._client import BaseClient


class School(BaseClient):
    """The typed methods of school (labels, settings, sub-accounts) (mixed into ``eeo_async.Client``)."""
