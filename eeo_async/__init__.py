"""eeo_async: the async Python SDK for the ClassIn (EEO) partner API.

Names starting with ``_`` (modules included) are private; import from ``eeo_async``
and from the one public submodule ``eeo_async.testing``.
"""

from ._api.classrooms import NewClassroom
from ._api.client import Client
from ._api.courses import CourseResult
from ._api.double_teacher import NewSubClass
from ._api.files import CloudFile, CloudFolder, CloudListing, FolderResult, UploadedFile
from ._api.lesson_items import NewLesson
from ._api.live import ClassVideoSetting, ClassVideoStatus
from ._api.lms_values import Activity, DoubleTeacherLesson, LiveInfo, Unit
from ._api.members import SchoolMember, TeacherAdded
from ._api.new_lessons import LessonResult
from ._api.school import SchoolLabel
from ._api.students import StudentComment
from ._api.users import Registration
from ._batch.batcher import Batcher
from ._batch.plan import Plan
from ._batch.report import BatchError, BatchReport
from ._codes import Errno, Family, LocalErrno, describe, next_step
from ._errors import (
    ApiError,
    BadCredentialsError,
    BadParametersError,
    ClientClosedError,
    ConnectError,
    DataMismatchError,
    DeadlineExceededError,
    EEOError,
    EventLoopError,
    GroupExistsError,
    HTTPStatusError,
    InputError,
    InputTypeError,
    NotFoundError,
    ProtocolError,
    RequestNotSentError,
    RequestTimeoutError,
    ResponseTooLargeError,
    ServerBusyError,
    TLSError,
    TooManyItemsError,
    TransportError,
)
from ._json import to_jsonable
from ._limits import ConcurrencyRecord
from ._models import (
    ActionResult,
    Envelope,
    GroupMember,
    GroupResult,
    ItemResult,
    ItemStatus,
    NewUser,
    Outcome,
)
from ._wire.endpoint import Bulk, Endpoint, Param

__version__ = "0.1.0"

__all__ = [
    "ActionResult",
    "Activity",
    "ApiError",
    "BadCredentialsError",
    "BadParametersError",
    "BatchError",
    "BatchReport",
    "Batcher",
    "Bulk",
    "ClassVideoSetting",
    "ClassVideoStatus",
    "Client",
    "ClientClosedError",
    "CloudFile",
    "CloudFolder",
    "CloudListing",
    "ConcurrencyRecord",
    "ConnectError",
    "CourseResult",
    "DataMismatchError",
    "DeadlineExceededError",
    "DoubleTeacherLesson",
    "EEOError",
    "Endpoint",
    "Envelope",
    "Errno",
    "EventLoopError",
    "Family",
    "FolderResult",
    "GroupExistsError",
    "GroupMember",
    "GroupResult",
    "HTTPStatusError",
    "InputError",
    "InputTypeError",
    "ItemResult",
    "ItemStatus",
    "LessonResult",
    "LiveInfo",
    "LocalErrno",
    "NewClassroom",
    "NewLesson",
    "NewSubClass",
    "NewUser",
    "NotFoundError",
    "Outcome",
    "Param",
    "Plan",
    "ProtocolError",
    "Registration",
    "RequestNotSentError",
    "RequestTimeoutError",
    "ResponseTooLargeError",
    "SchoolLabel",
    "SchoolMember",
    "ServerBusyError",
    "StudentComment",
    "TLSError",
    "TeacherAdded",
    "TooManyItemsError",
    "TransportError",
    "Unit",
    "UploadedFile",
    "__version__",
    "describe",
    "next_step",
    "to_jsonable",
]
