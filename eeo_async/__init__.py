"""eeo_async: the async Python SDK for the ClassIn (EEO) partner API.

Names starting with ``_`` (modules included) are private; import from ``eeo_async``
and from the one public submodule ``eeo_async.testing``.
"""

from ._api.client import Client
from ._batch.batcher import Batcher
from ._batch.plan import Plan
from ._batch.report import BatchError, BatchReport
from ._codes import Errno, LocalErrno, describe
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
    "ApiError",
    "BadCredentialsError",
    "BadParametersError",
    "BatchError",
    "BatchReport",
    "Batcher",
    "Bulk",
    "Client",
    "ClientClosedError",
    "ConnectError",
    "DataMismatchError",
    "DeadlineExceededError",
    "EEOError",
    "Endpoint",
    "Envelope",
    "Errno",
    "EventLoopError",
    "GroupExistsError",
    "GroupMember",
    "GroupResult",
    "HTTPStatusError",
    "InputError",
    "InputTypeError",
    "ItemResult",
    "ItemStatus",
    "LocalErrno",
    "NewUser",
    "NotFoundError",
    "Outcome",
    "Param",
    "Plan",
    "ProtocolError",
    "RequestNotSentError",
    "RequestTimeoutError",
    "ResponseTooLargeError",
    "ServerBusyError",
    "TLSError",
    "TooManyItemsError",
    "TransportError",
    "__version__",
    "describe",
    "to_jsonable",
]
