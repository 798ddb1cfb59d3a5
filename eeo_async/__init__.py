"""eeo_async: the async Python SDK for the ClassIn (EEO) partner API.

Names starting with ``_`` (modules included) are private; import from ``eeo_async``
and from the one public submodule ``eeo_async.testing``.
"""

from ._batch import Batcher
from ._client import Client
from ._codes import Errno, LocalErrno, describe
from ._errors import (
    ApiError,
    BadCredentialsError,
    BadParametersError,
    BatchError,
    ClientClosedError,
    ConnectError,
    DataMismatchError,
    EEOError,
    GroupExistsError,
    HTTPStatusError,
    InputError,
    InputTypeError,
    NotFoundError,
    ProtocolError,
    RequestTimeoutError,
    ResponseTooLargeError,
    ServerBusyError,
    TooManyItemsError,
    TransportError,
)
from ._models import GroupMember, GroupResult, ItemStatus
from ._plan import Plan
from ._report import BatchReport, ItemResult

__version__ = "0.1.0"

__all__ = [
    "ApiError",
    "BadCredentialsError",
    "BadParametersError",
    "BatchError",
    "BatchReport",
    "Batcher",
    "Client",
    "ClientClosedError",
    "ConnectError",
    "DataMismatchError",
    "EEOError",
    "Errno",
    "GroupExistsError",
    "GroupMember",
    "GroupResult",
    "HTTPStatusError",
    "InputError",
    "InputTypeError",
    "ItemResult",
    "ItemStatus",
    "LocalErrno",
    "NotFoundError",
    "Plan",
    "ProtocolError",
    "RequestTimeoutError",
    "ResponseTooLargeError",
    "ServerBusyError",
    "TooManyItemsError",
    "TransportError",
    "__version__",
    "describe",
]
