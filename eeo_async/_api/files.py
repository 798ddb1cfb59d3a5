"""The school's cloud drive: folders and files (``cloud.api.php``).

getFolderList, getCloudList, getTopFolderId, uploadFile, renameFile, delFile,
createFolder, renameFolder and delFolder. Uploads stream the file from disk in a
multipart body; they are never re-sent after an attempt the server may have applied
(the docs document no duplicate detection: a repeat would store a second file).
updateTeacherCloudFolders was deleted by ClassIn in 2024 (see ``registry``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from os import PathLike
from typing import Any, Final

import attrs

from .._client import BaseClient
from .._codes import Errno
from .._constants import V1_CLOUD_PATH
from .._errors import DataMismatchError, api_error
from .._json import JsonReady
from .._models import ActionResult
from .._wire.decode import decode_done, refuse
from .._wire.endpoint import Answer, Endpoint, Param
from .._wire.kinds import ID, as_int, file_kind, text, validate_id
from .base import action, done_as

#: uploadFile: "at most 500M"; the file's name 1 to 128 characters.
MAX_UPLOAD_BYTES: Final = 500 * 1024 * 1024
MAX_NAME_CHARS: Final = 128
#: A file or folder name: 1 to 128 characters (the server would cut a longer one).
NAME: Final = text(1, MAX_NAME_CHARS)
#: The file to upload: a path, checked for its size and name before anything is sent.
UPLOAD: Final = file_kind(MAX_UPLOAD_BYTES, MAX_NAME_CHARS)


@attrs.frozen(kw_only=True)
class CloudFolder(JsonReady):
    """A folder of the school's cloud drive.

    Attributes:
        folder_id: its ID.
        name: its name.
        parent_id: its parent folder's ID, where the answer gives it (getFolderList).
        is_system: whether it is a system folder, where the answer says (getCloudList).
    """

    folder_id: int
    name: str
    parent_id: int | None = None
    is_system: bool | None = None


@attrs.frozen(kw_only=True)
class CloudFile(JsonReady):
    """A file of the school's cloud drive.

    Attributes:
        file_id: its ID.
        name: its name.
        size: its size as the server writes it, e.g. ``"10KB"``.
    """

    file_id: int
    name: str
    size: str = ""


@attrs.frozen(kw_only=True)
class CloudListing(JsonReady):
    """The folders and files in one folder of the cloud drive (getCloudList)."""

    folders: tuple[CloudFolder, ...] = ()
    files: tuple[CloudFile, ...] = ()


@attrs.frozen(kw_only=True)
class FolderResult(ActionResult):
    """The answer to ``create_folder``: the folder's ID, new or existing.

    ``ok`` on errno 1 and on 206 (a folder of that name is already in the parent:
    ``already`` is true and ``folder_id`` is that folder's).

    Attributes:
        folder_id: the folder's ID.
    """

    folder_id: int


@attrs.frozen(kw_only=True)
class UploadedFile(ActionResult):
    """The answer to ``upload_file``.

    Attributes:
        file_id: the new file's ID in the cloud drive.
    """

    file_id: int


def _id_in(endpoint: Endpoint, answer: Answer, what: str) -> int:
    number = as_int(answer.data)
    if number is None:
        message = f"data should be the {what}, got {answer.data!r:.60}"
        raise DataMismatchError(endpoint.action, message)
    return number


def decode_created_folder(endpoint: Endpoint, answer: Answer, items: Any = ()) -> FolderResult:
    """createFolder: the new folder's ID, or on 206 the ID of the folder of that name."""
    done = decode_done(endpoint, answer)
    return done_as(FolderResult, done, folder_id=_id_in(endpoint, answer, "folder ID"))


def decode_renamed_folder(
    endpoint: Endpoint, answer: Answer, items: Any = ()
) -> tuple[ActionResult, int | None]:
    """renameFolder: done, or 206 with the ID of the folder that has the name (if given).

    206 is returned, neither raised nor ``already``: only the caller knows whether the
    folder it names is the one renamed (then the rename is done: a repeat) or another.
    """
    named = as_int(answer.data)
    if answer.code == Errno.FOLDER_EXISTS:
        taken = ActionResult(errno=answer.code, error=answer.message, action=endpoint.action)
        return taken, named
    return decode_done(endpoint, answer), named


def decode_upload(endpoint: Endpoint, answer: Answer, items: Any = ()) -> UploadedFile:
    """uploadFile: the new file's ID."""
    done = decode_done(endpoint, answer)
    return done_as(UploadedFile, done, file_id=_id_in(endpoint, answer, "file ID"))


def decode_top_folder(endpoint: Endpoint, answer: Answer, items: Any = ()) -> int:
    """getTopFolderId: the top folder's ID."""
    if answer.code != Errno.OK:
        raise refuse(endpoint, answer)
    return _id_in(endpoint, answer, "top folder's ID")


def _entries(value: object) -> Sequence[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, Mapping)]


def _folder(action: str, entry: Mapping[str, Any], **fields: Any) -> CloudFolder:
    folder_id = as_int(entry.get("id", entry.get("folder_id")))
    if folder_id is None:
        message = f"a folder without a valid ID: {dict(entry)!r:.80}"
        raise DataMismatchError(action, message)
    name = entry.get("name", entry.get("folder_name"))
    return CloudFolder(folder_id=folder_id, name=str(name or ""), **fields)


def decode_folder_list(
    endpoint: Endpoint, answer: Answer, items: Any = ()
) -> dict[int, list[CloudFolder]]:
    """getFolderList: each first-level folder's ID with its sub-folders (106: none)."""
    if answer.code == Errno.NO_DATA:
        return {}
    if answer.code != Errno.OK:
        raise refuse(endpoint, answer)
    data = answer.data if isinstance(answer.data, Mapping) else {}
    tree: dict[int, list[CloudFolder]] = {}
    for key, children in data.items():
        parent = as_int(key)
        if parent is None:
            message = f"data has a key that is not a folder ID: {key!r:.40}"
            raise DataMismatchError(endpoint.action, message)
        tree[parent] = [
            _folder(endpoint.action, child, parent_id=as_int(child.get("pid")) or parent)
            for child in _entries(children)
        ]
    return tree


def decode_cloud_list(endpoint: Endpoint, answer: Answer, items: Any = ()) -> CloudListing:
    """getCloudList: ``folder_list`` and ``file_list`` (beside ``error_info``, or in ``data``)."""
    if answer.code != Errno.OK:
        raise refuse(endpoint, answer)
    doc = answer.data if isinstance(answer.data, Mapping) else answer.doc
    folders = tuple(
        _folder(endpoint.action, entry, is_system=bool(as_int(entry.get("is_system_folder"))))
        for entry in _entries(doc.get("folder_list"))
    )
    files = []
    for entry in _entries(doc.get("file_list")):
        file_id = as_int(entry.get("id", entry.get("file_id")))
        if file_id is None:
            message = f"a file without a valid ID: {dict(entry)!r:.80}"
            raise DataMismatchError(endpoint.action, message)
        name, size = entry.get("file_name", ""), entry.get("file_size", "")
        files.append(CloudFile(file_id=file_id, name=str(name), size=str(size)))
    return CloudListing(folders=folders, files=tuple(files))


def _cloud(action_name: str, *params: Param, **row: Any) -> Endpoint:
    """A row of ``cloud.api.php``."""
    return Endpoint(action=action_name, path=V1_CLOUD_PATH, params=params, **row)


#: Folders two levels under the drive's root: a read.
GET_FOLDER_LIST: Final = _cloud("getFolderList", idempotent=True, decode=decode_folder_list)
#: The folders and files in a folder (the top folder if none is named): a read.
GET_CLOUD_LIST: Final = _cloud(
    "getCloudList",
    Param("folder_id", "folderId", ID, default=None),
    idempotent=True,
    decode=decode_cloud_list,
)
#: The drive's top folder (the first call sets it up): a read.
GET_TOP_FOLDER_ID: Final = _cloud("getTopFolderId", idempotent=True, decode=decode_top_folder)
#: A file into a folder (multipart, streamed). The docs document no duplicate detection
#: (a repeat stores a second file), so it is never re-sent after an attempt that may
#: have applied. 211: too large; 31000: storage full.
UPLOAD_FILE: Final = _cloud(
    "uploadFile",
    Param("folder_id", "folderId", ID),
    Param("filedata", "Filedata", UPLOAD),
    idempotent=False,
    decode=decode_upload,
)
#: Rename a file. Not re-sent after an attempt that may have applied: the repeat would
#: answer 200 ("a file of that name exists": itself), which names no file.
RENAME_FILE: Final = _cloud(
    "renameFile",
    Param("file_id", "fileId", ID),
    Param("file_name", "fileName", NAME),
    idempotent=False,
    decode=decode_done,
)
#: Delete a file; a repeat answers 198 ("no such file"): already done.
DEL_FILE: Final = _cloud(
    "delFile",
    Param("file_id", "fileId", ID),
    idempotent=True,
    already=frozenset({Errno.FILE_NOT_FOUND}),
    decode=decode_done,
)
#: A folder in a parent folder (at most 5,000 folders, 15 levels). A repeat answers
#: 206 with the folder's ID: idempotent by name.
CREATE_FOLDER: Final = _cloud(
    "createFolder",
    Param("folder_id", "folderId", ID),
    Param("folder_name", "folderName", NAME),
    idempotent=True,
    already=frozenset({Errno.FOLDER_EXISTS}),
    decode=decode_created_folder,
)
#: Rename a folder. 206 names the folder that has the name: when it is this one, the
#: rename is done (a repeat), so the row is safe to repeat; the decoder returns 206 with
#: the folder it names, for the caller to tell.
RENAME_FOLDER: Final = _cloud(
    "renameFolder",
    Param("folder_id", "folderId", ID),
    Param("folder_name", "folderName", NAME),
    idempotent=True,
    decode=decode_renamed_folder,
)
#: Delete a folder with everything in it; a repeat answers 193 ("no such folder").
DEL_FOLDER: Final = _cloud(
    "delFolder",
    Param("folder_id", "folderId", ID),
    idempotent=True,
    already=frozenset({Errno.FOLDER_NOT_FOUND}),
    decode=decode_done,
)


class Files(BaseClient):
    """The typed methods of the school's cloud drive (mixed into ``eeo_async.Client``)."""

    @action(GET_FOLDER_LIST)
    async def get_folder_list(self) -> dict[int, list[CloudFolder]]:
        """The folders two levels under the cloud drive's root (getFolderList).

        Returns each first-level folder's ID with its sub-folders (each with its
        ``parent_id``); ``{}`` when the drive has none (errno 106). A read, retried on
        transient failures.

        Raises:
            ApiError: the call failed.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        tree: dict[int, list[CloudFolder]] = await self.request(GET_FOLDER_LIST)
        return tree

    @action(GET_CLOUD_LIST)
    async def get_cloud_list(self, folder_id: int | str | None = None) -> CloudListing:
        """The folders and files in a folder, or in the top folder (getCloudList).

        A read, retried on transient failures.

        Raises:
            InputError: a bad ID (nothing is sent).
            ApiError: the call failed, e.g. ``NotFoundError`` for 193/194.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        listing: CloudListing = await self.request(GET_CLOUD_LIST, folder_id=folder_id)
        return listing

    @action(GET_TOP_FOLDER_ID)
    async def get_top_folder_id(self) -> int:
        """The ID of the cloud drive's top folder (getTopFolderId; the first call sets it up).

        Raises:
            ApiError: the call failed, e.g. 106 (no data).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        folder_id: int = await self.request(GET_TOP_FOLDER_ID)
        return folder_id

    @action(UPLOAD_FILE)
    async def upload_file(
        self, folder_id: int | str, filedata: str | PathLike[str]
    ) -> UploadedFile:
        """Upload a file into a folder of the cloud drive, streamed from disk (uploadFile).

        ``filedata`` is the file's path; its own name (1 to 128 characters) is the name
        in the drive, and it may be at most 500 MB: both are checked before anything is
        sent, and the file is never read into memory whole. Give the client a timeout
        that fits the file (``client.with_options(timeout=600)``): one attempt's timeout
        covers the whole upload.

        The docs document no duplicate detection (a repeat stores a second file), so it
        is re-sent only where the server cannot have acted (connection refused, a
        request that never left, HTTP 429); after a timeout, a lost answer, a 5xx or
        104 the error says to look in the folder (``get_cloud_list``) first.

        Raises:
            InputError: a bad ID, no such file, too large or too long a name.
            ApiError: the call failed, e.g. 211 (too large), 31000 (storage full),
                ``NotFoundError`` for 193.
            TransportError: no usable answer; the file may have been stored.
            ProtocolError: the answer was not the documented JSON.
        """
        result: UploadedFile = await self.request(
            UPLOAD_FILE, folder_id=folder_id, filedata=filedata
        )
        return result

    @action(RENAME_FILE)
    async def rename_file(self, file_id: int | str, file_name: str) -> ActionResult:
        """Rename a file of the cloud drive (renameFile).

        Not re-sent after an attempt the server may have applied: a repeat would answer
        200 ("a file of that name exists") for the file itself. Such an error says to
        check (``get_cloud_list``).

        Raises:
            InputError: a bad ID or name (nothing is sent).
            ApiError: the call failed, e.g. 200, ``NotFoundError`` for 198/199.
            TransportError: no usable answer; the file may have been renamed.
            ProtocolError: the answer was not the documented JSON.
        """
        result: ActionResult = await self.request(RENAME_FILE, file_id=file_id, file_name=file_name)
        return result

    @action(DEL_FILE)
    async def del_file(self, file_id: int | str) -> ActionResult:
        """Delete a file of the cloud drive (delFile).

        ``ok`` on errno 1 and on 198 (no such file: ``already`` is true), so transient
        failures are retried.

        Raises:
            InputError: a bad ID (nothing is sent).
            ApiError: the call failed, e.g. ``NotFoundError`` for 199 (not the school's).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self.request(DEL_FILE, file_id=file_id)
        return result

    @action(CREATE_FOLDER)
    async def create_folder(self, folder_id: int | str, folder_name: str) -> FolderResult:
        """Create a folder in the folder ``folder_id``, or find it by name (createFolder).

        Returns the new folder's ID, or on 206 the ID of the folder of that name
        already in the parent (``already`` true), so it is safe to repeat and
        transient failures are retried. A drive holds at most 5,000 folders, 15 deep.

        Raises:
            InputError: a bad ID or name (nothing is sent).
            ApiError: the call failed, e.g. 207/208 (too deep, too many),
                ``NotFoundError`` for 193 (no such parent).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: FolderResult = await self.request(
            CREATE_FOLDER, folder_id=folder_id, folder_name=folder_name
        )
        return result

    @action(RENAME_FOLDER)
    async def rename_folder(self, folder_id: int | str, folder_name: str) -> ActionResult:
        """Rename a cloud folder (renameFolder); 206 (name taken) is done if by this folder.

        206 means that a folder of that name exists, and names it: when it is this
        folder, the rename is done (``already`` true; after a retry, the earlier attempt
        did it); when it is another, the ``ApiError`` is raised. So it is safe to
        repeat, and transient failures are retried.

        Raises:
            InputError: a bad ID or name (nothing is sent).
            ApiError: the call failed, e.g. 206 (another folder has the name),
                ``NotFoundError`` for 193.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        answered: tuple[ActionResult, int | None] = await self.request(
            RENAME_FOLDER, folder_id=folder_id, folder_name=folder_name
        )
        result, named = answered
        if result.errno == Errno.FOLDER_EXISTS:
            if named != validate_id(folder_id, "folder_id"):
                hint = f"the folder {named or '(not named)'} already has that name"
                raise api_error(result.errno, result.error, result.action, hint=hint)
            result = attrs.evolve(result, already=True)
        return result

    @action(DEL_FOLDER)
    async def del_folder(self, folder_id: int | str) -> ActionResult:
        """Delete a folder and everything in it (delFolder).

        ``ok`` on errno 1 and on 193 (no such folder: ``already`` is true), so transient
        failures are retried.

        Raises:
            InputError: a bad ID (nothing is sent).
            ApiError: the call failed, e.g. ``NotFoundError`` for 194, 196 (no permission).
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        result: ActionResult = await self.request(DEL_FOLDER, folder_id=folder_id)
        return result
