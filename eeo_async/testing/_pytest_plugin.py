"""The pytest plugin of eeo_async: an ``eeo_sandbox`` fixture (loaded by entry point).

Use it in your own tests (pytest-asyncio needed)::

    async def test_enrol(eeo_sandbox):
        students = eeo_sandbox.add_students(3)
        course = eeo_sandbox.add_course(lessons=2)
        async with eeo_async.Client(
            eeo_sandbox.sid, eeo_sandbox.secret, base_url=eeo_sandbox.base_url
        ) as client:
            await my_code_that_enrols(client, course.course_id, students)
        assert eeo_sandbox.lesson_members(course.class_ids[0]) == set(students)
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ..testing import Sandbox

try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - exercised only where pytest-asyncio is missing
    pytest_asyncio = None  # type: ignore[assignment]

if pytest_asyncio is not None:

    @pytest_asyncio.fixture
    async def eeo_sandbox() -> AsyncIterator[Sandbox]:
        """A started :class:`eeo_async.testing.Sandbox` on loopback, closed after the test."""
        async with Sandbox() as sandbox:
            yield sandbox

else:  # pragma: no cover

    @pytest.fixture
    def eeo_sandbox() -> None:
        """Skip: the eeo_sandbox fixture needs pytest-asyncio."""
        pytest.skip("the eeo_sandbox fixture needs pytest-asyncio: pip install pytest-asyncio")
