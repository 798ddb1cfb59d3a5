"""Hand-made requests to a sandbox, signed by this file's own reading of the docs.

Neither the SDK's signing nor the sandbox's is used here, so a test that passes shows
that both sides read the docs the same way.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import aiohttp

from eeo_async.testing import Sandbox

COURSE = "/partner/api/course.api.php"
CLOUD = "/partner/api/cloud.api.php"


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def v2_sign(body: dict[str, Any], sid: int, stamp: int, secret: str) -> str:
    """signature.txt: scalar fields of at most 1024 bytes, plus sid and timeStamp, sorted."""
    pairs = {
        k: str(v)
        for k, v in body.items()
        if not isinstance(v, (list, dict)) and len(str(v).encode()) <= 1024
    }
    pairs.update(sid=str(sid), timeStamp=str(stamp))
    text = "&".join(f"{k}={pairs[k]}" for k in sorted(pairs))
    return md5(f"{text}&key={secret}")


class Raw:
    """Posts hand-made v1 forms and v2 bodies to a sandbox and returns what came back."""

    def __init__(self, sandbox: Sandbox, session: aiohttp.ClientSession) -> None:
        self.sb = sandbox
        self.session = session

    def signed(self, **fields: Any) -> dict[str, str]:
        """A v1 form: SID, timeStamp, safeKey, then the fields (non-strings as JSON)."""
        stamp = str(int(self.sb.clock()))
        form = {"SID": str(self.sb.sid), "timeStamp": stamp, "safeKey": md5(self.sb.secret + stamp)}
        form.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()})
        return form

    async def post(
        self, action: str, form: dict[str, str] | aiohttp.FormData, path: str = COURSE
    ) -> dict[str, Any]:
        url = f"{self.sb.base_url}{path}?action={action}"
        async with self.session.post(url, data=form) as response:
            assert response.status == 200
            return dict(await response.json())

    async def call(self, action: str, **fields: Any) -> tuple[int, Any]:
        """A v1 call's errno and data (per-item entries as their errnos)."""
        doc = await self.post(action, self.signed(**fields))
        data = doc.get("data")
        if isinstance(data, list):
            data = [entry["errno"] for entry in data]
        return doc["error_info"]["errno"], data

    def headers(self, body: dict[str, Any], *, stamp: int | None = None) -> dict[str, str]:
        """The v2 headers for ``body``, signed at ``stamp`` (the sandbox's clock by default)."""
        ts = int(self.sb.clock()) if stamp is None else stamp
        return {
            "X-EEO-SIGN": v2_sign(body, self.sb.sid, ts, self.sb.secret),
            "X-EEO-UID": str(self.sb.sid),
            "X-EEO-TS": str(ts),
        }

    async def post_v2(
        self, path: str, body: Any, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """POST a JSON body (signed unless ``headers`` are given); (HTTP status, JSON)."""
        sent = self.headers(body) if headers is None else headers
        url = f"{self.sb.base_url}{path}"
        async with self.session.post(url, json=body, headers=sent) as response:
            return response.status, dict(await response.json())
