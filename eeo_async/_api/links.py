"""Login links: a link that opens the ClassIn client into a lesson (getLoginLinked).

The link carries no secret and no key since 2021-06: the client opens on its login
screen the first time. The call only checks that the user belongs to the lesson (150
otherwise) and builds the link for the device type.
"""

from __future__ import annotations

from typing import Final, Literal

from .._client import BaseClient
from .._errors import InputError
from .._wire.endpoint import Endpoint, Param
from .._wire.kinds import ID, Kind, integer
from .base import action
from .live import decode_url

#: ``deviceType``: 1 Windows/Mac (the default), 2 iOS, 3 Android.
DEVICE_TYPES: Final = {"pc": 1, "ios": 2, "android": 3}
#: ``lifeTime``'s documented default, in seconds (a relic of the links' old temporary key).
DEFAULT_LIFE_TIME: Final = 86400

DeviceType = Literal[1, 2, 3, "pc", "ios", "android"]


def _check_device(value: object, where: str) -> int:
    if isinstance(value, str) and value.lower() in DEVICE_TYPES:
        return DEVICE_TYPES[value.lower()]
    if isinstance(value, int) and not isinstance(value, bool) and value in (1, 2, 3):
        return value
    message = f"{where} must be 1/'pc', 2/'ios' or 3/'android', got {value!r:.40}"
    raise InputError(message)


#: The device the link is for: 1 or ``"pc"`` (Windows/Mac), 2 or ``"ios"``, 3 or ``"android"``.
DEVICE_TYPE: Final = Kind(check=_check_device)

#: A link that opens the client into a lesson, for one of its members: a read (retried).
#: 150: not a member of the lesson; 145: finished; 467: an email account without a
#: telephone; 888: a cancelled account.
GET_LOGIN_LINKED: Final = Endpoint(
    action="getLoginLinked",
    params=(
        Param("uid", "uid", ID),
        Param("course_id", "courseId", ID),
        Param("class_id", "classId", ID),
        Param("device_type", "deviceType", DEVICE_TYPE, default=1),
        Param("life_time", "lifeTime", integer(1, 2**31 - 1), default=DEFAULT_LIFE_TIME),
    ),
    idempotent=True,
    decode=decode_url,
)


class Links(BaseClient):
    """The typed method of login links (mixed into ``eeo_async.Client``)."""

    @action(GET_LOGIN_LINKED)
    async def get_login_linked(
        self,
        uid: int | str,
        course_id: int | str,
        class_id: int | str,
        *,
        device_type: DeviceType = 1,
        life_time: int = DEFAULT_LIFE_TIME,
    ) -> str:
        """A link that opens the ClassIn client into a lesson for one of its members.

        (getLoginLinked.) Returns the link: ``classin://www.eeo.cn/enterclass?...`` for
        ``device_type`` 1/``"pc"`` (Windows and Mac, the default) and 3/``"android"``,
        an ``https://www.eeo.cn/client/mobile/ios/...`` page for 2/``"ios"``. The link
        holds no key: the client asks for the password the first time.
        ``life_time`` (seconds, default 86400) is sent as the docs describe it, though
        it dates from links that carried a temporary key. A read, retried on transient
        failures.

        Raises:
            InputError: a bad ID, device type or lifetime (nothing is sent).
            ApiError: the call failed, e.g. 150 (not a member of the lesson), 145
                (finished), 467 (an email account without a telephone), 888.
            TransportError: no usable answer after all attempts.
            ProtocolError: the answer was not the documented JSON after all attempts.
        """
        link: str = await self.request(
            GET_LOGIN_LINKED,
            uid=uid,
            course_id=course_id,
            class_id=class_id,
            device_type=device_type,
            life_time=life_time,
        )
        return link
