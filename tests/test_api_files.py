"""renameFolder's 206: a folder of that name exists (its ID given), done only if it is this one."""

from __future__ import annotations

from typing import Any

import pytest
from courses_fake import answer

import eeo_async as eeo
from eeo_async._api import files
from eeo_async.testing import MockRequest, MockTransport, set_testing


@pytest.fixture(autouse=True)
def _no_waits() -> Any:
    with set_testing(True):
        yield


async def test_rename_folder_206_for_another_folder_is_not_already_through_request() -> None:
    """renameFolder's row reads 206 as neither done nor already: the folder may be another."""

    def handler(request: MockRequest) -> dict[str, Any]:
        return answer(206, 99)

    api = eeo.Client(1234567, "a-secret-of-a-school", transport=MockTransport(handler))
    result, named = await api.request(files.RENAME_FOLDER, folder_id=5, folder_name="x")
    assert (result.ok, result.already, named) == (False, False, 99)
    with pytest.raises(eeo.ApiError, match="the folder 99 already has that name"):
        await api.rename_folder(5, "x")
    done = await api.rename_folder(99, "x")
    assert (done.ok, done.already) == (True, True)
