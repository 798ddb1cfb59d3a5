"""The cloud drive on the sandbox: folders, uploads streamed from disk, renames, deletes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import eeo_async as eeo
from eeo_async._api import files as cloud
from eeo_async.testing import CloudDrive, Faults, MockRequest, MockTransport, Sandbox


def client_for(sb: Sandbox, **kwargs: Any) -> eeo.Client:
    kwargs.setdefault("initial_backoff", 0)
    kwargs.setdefault("max_backoff", 0)
    return eeo.Client(sb.sid, sb.secret, base_url=sb.base_url, **kwargs)


async def test_folders_are_created_once_by_name_and_listed(eeo_sandbox: Sandbox) -> None:
    """createFolder answers 206 with the folder's ID the second time; the lists show the tree."""
    sb = eeo_sandbox
    async with client_for(sb) as client:
        top = await client.get_top_folder_id()
        assert await client.get_folder_list() == {}  # errno 106: no folders yet
        term = await client.create_folder(top, "2025 秋")
        again = await client.create_folder(str(top), "2025 秋")
        week = await client.create_folder(term.folder_id, "第一周")
        tree = await client.get_folder_list()
        listing = await client.get_cloud_list()
        inside = await client.get_cloud_list(term.folder_id)
        with pytest.raises(eeo.NotFoundError) as missing:
            await client.get_cloud_list(123)
    assert (again.errno, again.ok, again.already, again.folder_id) == (
        206,
        True,
        True,
        term.folder_id,
    )
    assert tree == {
        term.folder_id: [
            eeo.CloudFolder(folder_id=week.folder_id, name="第一周", parent_id=term.folder_id)
        ]
    }
    assert [(f.folder_id, f.name, f.is_system) for f in listing.folders] == [
        (term.folder_id, "2025 秋", False)
    ]
    assert [f.name for f in inside.folders] == ["第一周"]
    assert inside.files == ()
    assert missing.value.errno == 193
    assert missing.value.error == "文件夹不存在"


async def test_a_file_is_uploaded_from_disk_and_listed(
    eeo_sandbox: Sandbox, tmp_path: Path
) -> None:
    """uploadFile streams the file as Filedata to cloud.api.php and answers its new ID."""
    sb = eeo_sandbox
    path = tmp_path / "讲义 第1课.pdf"
    path.write_bytes(b"%PDF" + bytes(range(256)) * 40)
    async with client_for(sb) as client:
        top = await client.get_top_folder_id()
        uploaded = await client.upload_file(top, path)
        listing = await client.get_cloud_list(top)
    (stored,) = sb.state(CloudDrive).files.values()
    assert stored.file_id == uploaded.file_id
    assert (stored.name, stored.size) == (path.name, path.stat().st_size)
    assert stored.upload is not None
    assert stored.upload.path is not None
    assert stored.upload.path.read_bytes() == path.read_bytes()
    assert listing.files == (eeo.CloudFile(file_id=uploaded.file_id, name=path.name, size="11KB"),)
    assert sb.stats.requests["uploadFile"] == 1


async def test_an_upload_is_never_resent_after_an_attempt_that_may_have_stored_it(
    tmp_path: Path,
) -> None:
    """With the answer lost after the file was stored, the upload is not sent again."""
    path = tmp_path / "a.txt"
    path.write_text("hello")
    async with Sandbox(faults=Faults(lost_after=1.0)) as sb:
        top = sb.state(CloudDrive).top
        async with client_for(sb) as client:
            with pytest.raises(eeo.TransportError, match="check before") as caught:
                await client.upload_file(top, path)
        assert caught.value.may_have_acted
        assert len(sb.state(CloudDrive).files) == 1
        assert sb.stats.requests["uploadFile"] == 1


async def test_an_upload_refused_before_acting_is_sent_again(tmp_path: Path) -> None:
    """A busy answer before anything was stored (HTTP 429) is retried: one file in the end."""
    path = tmp_path / "a.txt"
    path.write_text("hello")
    async with Sandbox(faults=Faults(rate_limited=0.5), seed=2) as sb:
        top = sb.state(CloudDrive).top
        async with client_for(sb, max_attempts=20) as client:
            uploaded = await client.upload_file(top, path)
        assert sb.stats.faults_injected["rate_limited"] > 0
        assert list(sb.state(CloudDrive).files) == [uploaded.file_id]


async def test_upload_size_and_name_are_checked_before_sending(tmp_path: Path) -> None:
    """A missing file, a name over 128 characters, or over 500 MB is refused, nothing sent."""
    sent: list[str] = []
    transport = MockTransport(lambda request: sent.append(request.action))
    long_name = tmp_path / ("x" * 125 + ".txt")
    long_name.write_text("x")
    sparse = tmp_path / "big.bin"
    with sparse.open("wb") as handle:  # a sparse file: no disk is used for its size
        handle.truncate(cloud.MAX_UPLOAD_BYTES + 1)
    async with eeo.Client(1, "s", transport=transport) as client:
        for path, message in (
            (tmp_path / "none.txt", "cannot read"),
            (long_name, "over 128 characters"),
            (sparse, "over the limit"),
            (tmp_path, "is not a file"),
        ):
            with pytest.raises(eeo.InputError, match=message):
                await client.upload_file(1, path)
    assert sent == []


async def test_files_are_renamed_and_deleted(eeo_sandbox: Sandbox, tmp_path: Path) -> None:
    """renameFile refuses a taken name (200); a second delFile answers 198, already."""
    sb = eeo_sandbox
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "b.txt").write_text("b")
    async with client_for(sb) as client:
        top = await client.get_top_folder_id()
        a = await client.upload_file(top, tmp_path / "a.txt")
        b = await client.upload_file(top, tmp_path / "b.txt")
        assert (await client.rename_file(a.file_id, "甲.txt")).ok
        with pytest.raises(eeo.ApiError) as taken:
            await client.rename_file(b.file_id, "甲.txt")
        gone = await client.del_file(a.file_id)
        again = await client.del_file(a.file_id)
    assert taken.value.errno == 200
    assert (gone.already, again.errno, again.already, again.ok) == (False, 198, True, True)
    assert [f.name for f in sb.state(CloudDrive).files.values()] == ["b.txt"]


async def test_folder_renames_tell_a_repeat_from_a_taken_name(eeo_sandbox: Sandbox) -> None:
    """206 naming the folder itself is a done rename; naming another folder is an error."""
    sb = eeo_sandbox
    async with client_for(sb) as client:
        top = await client.get_top_folder_id()
        one = (await client.create_folder(top, "一")).folder_id
        two = (await client.create_folder(top, "二")).folder_id
        first = await client.rename_folder(one, "壹")
        repeat = await client.rename_folder(one, "壹")
        with pytest.raises(eeo.ApiError, match=f"the folder {one} already has that name"):
            await client.rename_folder(two, "壹")
        removed = await client.del_folder(one)
        again = await client.del_folder(one)
    assert (first.errno, first.already) == (1, False)
    assert (repeat.errno, repeat.ok, repeat.already) == (206, True, True)
    assert (removed.already, again.errno, again.already) == (False, 193, True)
    assert {f.name for f in sb.state(CloudDrive).folders.values()} == {"机构网盘", "二"}


async def test_cloud_actions_go_to_cloud_api_php() -> None:
    """Every cloud row is posted to cloud.api.php, and the listing's fields are read."""
    paths: list[str] = []

    def handle(request: MockRequest) -> Any:
        paths.append(request.path)
        return {
            "folder_list": [{"folder_id": "7", "folder_name": "我的教材", "is_system_folder": 1}],
            "file_list": [{"id": "9", "file_name": "t.php", "file_size": "7KB"}],
            "error_info": {"errno": 1, "error": "程序正常执行"},
        }

    async with eeo.Client(1, "s", transport=MockTransport(handle)) as client:
        listing = await client.get_cloud_list(5)
    assert paths == ["/partner/api/cloud.api.php?action=getCloudList"]
    assert listing == eeo.CloudListing(
        folders=(eeo.CloudFolder(folder_id=7, name="我的教材", is_system=True),),
        files=(eeo.CloudFile(file_id=9, name="t.php", size="7KB"),),
    )
