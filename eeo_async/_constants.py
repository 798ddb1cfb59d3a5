"""Every default of the SDK in one place."""

from __future__ import annotations

from typing import Final

DEFAULT_BASE_URL: Final = "https://api.eeo.cn"
#: Where v1 actions are posted (``?action=X``); the cloud-drive actions go to the other file.
V1_COURSE_PATH: Final = "/partner/api/course.api.php"
V1_CLOUD_PATH: Final = "/partner/api/cloud.api.php"

#: Seconds for one HTTP attempt (connect + send + read).
DEFAULT_TIMEOUT: Final = 30.0
#: Attempts per call (or per item in a batch), the first one included.
DEFAULT_MAX_ATTEMPTS: Final = 5
#: Highest ``max_attempts`` accepted (the report counts attempts in 16 bits).
MAX_ATTEMPTS_LIMIT: Final = 1000
#: First backoff in seconds; doubles each attempt, plus up to as much jitter.
DEFAULT_INITIAL_BACKOFF: Final = 0.5
#: Upper bound of one backoff wait in seconds (``Retry-After`` is capped by it too).
DEFAULT_MAX_BACKOFF: Final = 30.0
#: Requests in flight at once for a Batcher.
DEFAULT_CONCURRENCY: Final = 8
#: Largest item count any documented action accepts in one call.
MAX_CHUNK_SIZE: Final = 100
#: Connections a Client's own session opens at first; a Batcher grows it to its concurrency.
DEFAULT_MAX_CONNECTIONS: Final = 100
#: A response body larger than this is refused rather than read into memory.
MAX_BODY_BYTES: Final = 4 * 1024 * 1024
#: The server rejects a timeStamp further than this from its clock (errno 102).
SERVER_TIMESTAMP_WINDOW: Final = 20 * 60
#: The v2 server rejects an ``X-EEO-TS`` further than this from its clock (101002006).
V2_TIMESTAMP_WINDOW: Final = 5 * 60
#: v2 signs a top-level field only when its value is at most this many bytes.
V2_SIGNED_VALUE_BYTES: Final = 1024
#: Longest group name, counted in characters.
MAX_GROUP_NAME_CHARS: Final = 20
#: ``identity`` sent with delClassStudentMultiple: 1 means "student".
STUDENT_IDENTITY: Final = 1
#: Name of the logger every module logs to.
LOGGER_NAME: Final = "eeo_async"
USER_AGENT: Final = "eeo-async/0.1"
