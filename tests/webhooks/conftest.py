"""Fixtures of the webhooks tests."""

from __future__ import annotations

from typing import Any

import pytest
from webhooks_support import SECRET, SID

from eeo_async.testing import samples


@pytest.fixture
def docs_samples() -> dict[str, dict[str, Any]]:
    """Every documented sample, signed for the test school."""
    return samples(SID, SECRET)
