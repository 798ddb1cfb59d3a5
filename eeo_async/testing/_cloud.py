"""Sandbox area "cloud files": the school's cloud drive, at ``cloud.api.php``.

Actions getFolderList, getCloudList, getTopFolderId, uploadFile, renameFile, delFile,
createFolder, renameFolder and delFolder. Its state is ``CloudDrive`` (folders and
files; the top folder is made on first use, as getTopFolderId's page says). Uploaded
bytes are streamed to the sandbox's temporary folder by the server, never held whole.
Read so from the pages:

- getFolderList: 106 when the top folder has no sub-folder; else ``data`` maps each
  first-level folder's ID to its sub-folders ``[{"id", "pid", "name"}]`` (strings).
- getCloudList: 193 (no such folder), 194 (``CloudDrive.foreign``); ``folder_list`` and
  ``file_list`` beside ``error_info`` (not in ``data``), as the sample shows.
- uploadFile: 100, 195 (no file part, or an empty name), 193, 194, 211 (over 500 MB),
  31000 (past ``CloudDrive.capacity_bytes``), 1 with the new file's ID (a string). A
  second upload of the same file stores a second file: the docs document no duplicate
  detection. Names are cut to 128 characters.
- renameFile: 100, 198 (no such file: a repeat of delFile too), 199 (another school's),
  200 when a file of the folder has the name, the file itself included (the page does
  not say; the sandbox's reading), 1. delFile: 100, 198, 199, 1.
- createFolder: 100, 193, 194, 206 with the ID of the sub-folder of that name (so
  creating is idempotent by name), 207 (deeper than 15 levels), 208 (past 5,000
  folders), 1 with the new folder's ID (a string).
- renameFolder: 100, 193, 194, 196 (the top folder, or a system folder), 206 with the ID
  of the folder of the parent that has the name, itself included, 1.
- delFolder: 100, 193 (also on a repeat), 194, 196; deletes every sub-folder and file.
"""

# The production's Chinese messages use full-width punctuation; they are kept verbatim.
# ruff: noqa: RUF001

from __future__ import annotations

import itertools
import random
from typing import Any, Final

import attrs

from .._codes import Errno
from ._messages import Texts
from ._route import Area, v1
from ._school import School
from ._wire import CLOUD_API, Answer, Upload, int_field, text_field

#: The pages' limits: 500 MB a file, names of 128 characters, 5,000 folders, 15 levels.
MAX_FILE_BYTES: Final = 500 * 1024 * 1024
NAME_CHARS: Final = 128
MAX_FOLDERS: Final = 5000
MAX_DEPTH: Final = 15
TOP_FOLDER_NAME: Final = "机构网盘"


@attrs.frozen
class Folder:
    """A folder of the drive; the top folder has no parent."""

    folder_id: int
    name: str
    parent_id: int | None = None
    system: bool = False


@attrs.frozen
class File:
    """A file of the drive: its folder, name and size, and the upload as received."""

    file_id: int
    folder_id: int
    name: str
    size: int
    upload: Upload | None = attrs.field(default=None, repr=False)


@attrs.define
class CloudDrive:
    """The cloud area's state: folders and files by ID.

    Attributes:
        folders: every folder, the top one included.
        files: every file.
        foreign: folder and file IDs of another school (194, 199).
        capacity_bytes: the storage (31000 past it); ``None`` for no limit.
    """

    folders: dict[int, Folder] = attrs.Factory(dict)
    files: dict[int, File] = attrs.Factory(dict)
    foreign: set[int] = attrs.Factory(set)
    capacity_bytes: int | None = None
    ids: itertools.count[int] = attrs.Factory(lambda: itertools.count(714_013))

    @property
    def top(self) -> int:
        """The top folder's ID (made on first use)."""
        found = next((f.folder_id for f in self.folders.values() if f.parent_id is None), None)
        if found is None:
            found = next(self.ids)
            self.folders[found] = Folder(found, TOP_FOLDER_NAME, None, system=True)
        return found

    def children(self, folder_id: int) -> list[Folder]:
        """The sub-folders of a folder."""
        return [f for f in self.folders.values() if f.parent_id == folder_id]

    def depth(self, folder_id: int) -> int:
        """How many levels a folder is below the top one (the top is 0)."""
        depth, parent = 0, self.folders[folder_id].parent_id
        while parent is not None:
            depth, parent = depth + 1, self.folders[parent].parent_id
        return depth

    def folder(self, form: dict[str, Any], name: str = "folderId") -> Folder:
        """The folder a request names: 193 when there is none, 194 for another school's."""
        folder_id = int_field(form, name)
        if folder_id in self.foreign:
            raise Answer(Errno.FOLDER_NOT_OURS)
        self.top  # noqa: B018 - the top folder exists once the drive is used
        found = self.folders.get(folder_id)
        if found is None:
            raise Answer(Errno.FOLDER_NOT_FOUND)
        return found

    def file(self, form: dict[str, Any]) -> File:
        """The file a request names: 198 when there is none, 199 for another school's."""
        file_id = int_field(form, "fileId")
        if file_id in self.foreign:
            raise Answer(Errno.FILE_NOT_OURS)
        found = self.files.get(file_id)
        if found is None:
            raise Answer(Errno.FILE_NOT_FOUND)
        return found


def _name(form: dict[str, Any], field: str) -> str:
    name = text_field(form, field).strip()
    if not name:
        raise Answer(Errno.BAD_PARAMETERS)
    return name[:NAME_CHARS]


def _size_text(size: int) -> str:
    return f"{max(1, -(-size // 1024))}KB"


def get_folder_list(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """getFolderList: the folders two levels under the top one."""
    drive = school.state(CloudDrive)
    first = drive.children(drive.top)
    if not first:
        raise Answer(Errno.NO_DATA)
    data = {
        str(folder.folder_id): [
            {"id": str(c.folder_id), "pid": str(folder.folder_id), "name": c.name}
            for c in drive.children(folder.folder_id)
        ]
        for folder in first
    }
    return school.envelope(Errno.OK, data)


def get_cloud_list(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """getCloudList: the folders and files of a folder (the top one if none is named)."""
    drive = school.state(CloudDrive)
    folder_id = drive.folder(form).folder_id if form.get("folderId") else drive.top
    doc = school.envelope(Errno.OK)
    doc["folder_list"] = [
        {"folder_id": str(f.folder_id), "folder_name": f.name, "is_system_folder": int(f.system)}
        for f in drive.children(folder_id)
    ]
    doc["file_list"] = [
        {"id": str(f.file_id), "file_name": f.name, "file_size": _size_text(f.size)}
        for f in drive.files.values()
        if f.folder_id == folder_id
    ]
    return doc


def get_top_folder_id(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """getTopFolderId: the top folder's ID, as a string."""
    return school.envelope(Errno.OK, str(school.state(CloudDrive).top))


def upload_file(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """uploadFile: a new file in a folder, every time (no duplicate detection)."""
    drive = school.state(CloudDrive)
    upload = form.get("Filedata")
    if not isinstance(upload, Upload) or not upload.name.strip():
        raise Answer(Errno.NO_FILE_CHOSEN)
    folder = drive.folder(form)
    if upload.size > MAX_FILE_BYTES:
        raise Answer(Errno.FILE_TOO_LARGE)
    used = sum(f.size for f in drive.files.values())
    if drive.capacity_bytes is not None and used + upload.size > drive.capacity_bytes:
        raise Answer(Errno.STORAGE_FULL)
    file_id = next(drive.ids)
    name = upload.name[:NAME_CHARS]
    drive.files[file_id] = File(file_id, folder.folder_id, name, upload.size, upload)
    return school.envelope(Errno.OK, str(file_id))


def rename_file(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """renameFile: 200 when a file of the folder has the name (the file itself too)."""
    drive = school.state(CloudDrive)
    found = drive.file(form)
    name = _name(form, "fileName")
    if any(f.folder_id == found.folder_id and f.name == name for f in drive.files.values()):
        raise Answer(Errno.FILE_NAME_TAKEN)
    drive.files[found.file_id] = attrs.evolve(found, name=name)
    return school.envelope(Errno.OK)


def del_file(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """delFile: 198 when there is no such file (a repeat too)."""
    drive = school.state(CloudDrive)
    del drive.files[drive.file(form).file_id]
    return school.envelope(Errno.OK)


def create_folder(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """createFolder: a new sub-folder, or 206 with the ID of the one of that name."""
    drive = school.state(CloudDrive)
    parent = drive.folder(form)
    name = _name(form, "folderName")
    same = next((f for f in drive.children(parent.folder_id) if f.name == name), None)
    if same is not None:
        return school.envelope(Errno.FOLDER_EXISTS, str(same.folder_id))
    if drive.depth(parent.folder_id) + 1 > MAX_DEPTH:
        raise Answer(Errno.TOO_DEEP)
    if len(drive.folders) - 1 >= MAX_FOLDERS:
        raise Answer(Errno.TOO_MANY_FOLDERS)
    folder_id = next(drive.ids)
    drive.folders[folder_id] = Folder(folder_id, name, parent.folder_id)
    return school.envelope(Errno.OK, str(folder_id))


def rename_folder(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """renameFolder: 206 with the ID of the folder that has the name (itself too)."""
    drive = school.state(CloudDrive)
    folder = drive.folder(form)
    if folder.parent_id is None or folder.system:
        raise Answer(Errno.FOLDER_NO_PERMISSION)
    name = _name(form, "folderName")
    same = next((f for f in drive.children(folder.parent_id) if f.name == name), None)
    if same is not None:
        return school.envelope(Errno.FOLDER_EXISTS, str(same.folder_id))
    drive.folders[folder.folder_id] = attrs.evolve(folder, name=name)
    return school.envelope(Errno.OK)


def del_folder(school: School, form: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """delFolder: the folder, its sub-folders and their files; 193 on a repeat."""
    drive = school.state(CloudDrive)
    folder = drive.folder(form)
    if folder.parent_id is None or folder.system:
        raise Answer(Errno.FOLDER_NO_PERMISSION)
    doomed, queue = set(), [folder.folder_id]
    while queue:
        current = queue.pop()
        doomed.add(current)
        queue.extend(f.folder_id for f in drive.children(current))
    for folder_id in doomed:
        del drive.folders[folder_id]
    for file_id in [f.file_id for f in drive.files.values() if f.folder_id in doomed]:
        del drive.files[file_id]
    return school.envelope(Errno.OK)


AREA: Final = Area(
    "cloud",
    routes=tuple(
        v1(name, handler, path=CLOUD_API)
        for name, handler in (
            ("getFolderList", get_folder_list),
            ("getCloudList", get_cloud_list),
            ("getTopFolderId", get_top_folder_id),
            ("uploadFile", upload_file),
            ("renameFile", rename_file),
            ("delFile", del_file),
            ("createFolder", create_folder),
            ("renameFolder", rename_folder),
            ("delFolder", del_folder),
        )
    ),
    texts=Texts(
        zh={
            Errno.OPERATION_FAILED: "操作失败",
            Errno.NO_DATA: "无数据",
            Errno.FOLDER_NOT_FOUND: "文件夹不存在",
            Errno.FOLDER_NOT_OURS: "文件夹不属于该机构（无权操作）",
            Errno.NO_FILE_CHOSEN: "请选择要上传的文件",
            Errno.FOLDER_NO_PERMISSION: "文件夹无操作权限",
            Errno.UPLOAD_FAILED: "上传文件失败",
            Errno.FILE_NOT_FOUND: "文件不存在",
            Errno.FILE_NOT_OURS: "文件不属于该机构（无权操作）",
            Errno.FILE_NAME_TAKEN: "已存在同名文件",
            Errno.FOLDER_EXISTS: "已存在同名文件夹",
            Errno.TOO_DEEP: "文件夹层级超出限制",
            Errno.TOO_MANY_FOLDERS: "文件夹数量超出限制",
            Errno.FILE_TOO_LARGE: "文件大小超出限制",
            Errno.STORAGE_FULL: "存储已满，请删除部分文件或者扩容",
        }
    ),
)
