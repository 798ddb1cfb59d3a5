"""Accounts and passwords: register, modifyPassword, modifyPasswordByTelephone on the sandbox."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

import eeo_async as eeo
from eeo_async.testing import Faults, MockRequest, MockTransport, Roster, Sandbox, Texted

PASSWORD = "Pa55word-sEcret"  # a test value whose absence from outputs is checked
OLD_MD5 = "e10adc3949ba59abbe56e057f20f883e"  # md5("123456")


def client_for(sb: Sandbox, **kwargs: Any) -> eeo.Client:
    kwargs.setdefault("initial_backoff", 0)
    kwargs.setdefault("max_backoff", 0)
    return eeo.Client(sb.sid, sb.secret, base_url=sb.base_url, **kwargs)


def png(path: Path, side: int = 300) -> Path:
    """A real (blank) PNG image of ``side`` pixels a side."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"".join(b"\x00" + b"\xff" * side for _ in range(side)))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )
    return path


async def test_register_new_then_already_with_the_same_uid(eeo_sandbox: Sandbox) -> None:
    """A new account gets a UID; registering it again answers 135 with the same UID, already."""
    sb = eeo_sandbox
    async with client_for(sb) as client:
        new = await client.register(
            telephone=15800000001, password=PASSWORD, nickname="小明", add_to_school_member=1
        )
        again = await client.register(telephone="15800000001", md5pass=OLD_MD5)
        mail = await client.register(email="a@example.cn", md5pass=OLD_MD5)
        mail_again = await client.register(email="a@example.cn", md5pass=OLD_MD5)
    assert (new.errno, new.ok, new.already) == (1, True, False)
    assert (again.errno, again.ok, again.already, again.uid) == (135, True, True, new.uid)
    assert (mail_again.errno, mail_again.uid) == (461, mail.uid)
    assert new.uid in sb.school_students()
    assert sb.password_matches("15800000001", PASSWORD)  # the first password stays
    assert sb.state(Roster).student_names[new.uid] == "小明"


async def test_register_with_an_avatar_streams_a_multipart_form(
    eeo_sandbox: Sandbox, tmp_path: Path
) -> None:
    """An avatar is sent as the Filedata part of a multipart form, beside the fields."""
    sb = eeo_sandbox
    avatar = png(tmp_path / "me.png")
    async with client_for(sb) as client:
        result = await client.register(
            telephone="15800000002", md5pass=OLD_MD5, filedata=avatar, add_to_school_member=2
        )
    assert result.ok
    (upload,) = sb.uploads()
    assert (upload.name, upload.size) == ("me.png", avatar.stat().st_size)
    assert result.uid in sb.school_teachers()


async def test_register_refuses_bad_input_before_sending(tmp_path: Path) -> None:
    """Either-or fields, SMS rules, avatar type and size are refused, nothing sent."""
    sent: list[str] = []
    transport = MockTransport(lambda request: sent.append(request.action))
    big = tmp_path / "big.png"
    big.write_bytes(b"\x00" * (1024 * 1024))
    gif = tmp_path / "me.bmp"
    gif.write_bytes(b"BM")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"password": PASSWORD}, "telephone and email"),
        ({"telephone": "15800000001", "email": "a@b.cn", "password": PASSWORD}, "exactly one"),
        ({"telephone": "15800000001"}, "password and md5pass"),
        ({"telephone": "0158", "password": PASSWORD}, "docs allow"),
        ({"telephone": "15800000001", "password": "short"}, "6 to 20"),
        ({"telephone": "15800000001", "password": PASSWORD, "is_sent_message": True}, "877"),
        (
            {"telephone": "15800000001", "md5pass": OLD_MD5, "is_sent_message": 1,
             "add_to_school_member": "student"},
            "no effect",
        ),
        ({"telephone": "15800000001", "password": PASSWORD, "filedata": big}, "limit"),
        ({"telephone": "15800000001", "password": PASSWORD, "filedata": gif}, "jpg"),
        ({"telephone": "15800000001", "password": PASSWORD, "nickname": "x" * 25}, "24"),
    ]  # fmt: skip
    async with eeo.Client(1, "secret-value", transport=transport) as client:
        for values, message in cases:
            with pytest.raises(eeo.InputError, match=message) as caught:
                await client.register(**values)
            assert PASSWORD not in str(caught.value)
    assert sent == []


async def test_register_texts_the_password_only_to_a_new_school_member(
    eeo_sandbox: Sandbox,
) -> None:
    """isSentMessage texts new accounts (a random password if none); a repeat texts nobody."""
    sb = eeo_sandbox
    async with client_for(sb) as client:
        first = await client.register(
            telephone="15800000003", add_to_school_member="teacher", is_sent_message=True
        )
        again = await client.register(
            telephone="15800000003", add_to_school_member="teacher", is_sent_message=True
        )
    assert (first.errno, again.errno, again.uid) == (1, 135, first.uid)
    assert sb.state(Texted).accounts == ["15800000003"]


async def test_register_is_retried_and_a_lost_registration_answers_already() -> None:
    """After an answer lost once registered, the retry answers 135 with the UID."""
    async with (
        Sandbox(faults=Faults(lost_after=0.3), seed=3) as sb,
        client_for(sb, max_attempts=20) as client,
    ):
        results = [
            await client.register(telephone=f"1580000{i:04d}", md5pass=OLD_MD5) for i in range(8)
        ]
    assert all(r.ok and r.uid for r in results)
    assert sb.stats.faults_injected["lost_after"] > 0
    assert {r.uid for r in results} == {sb.account(f"1580000{i:04d}").uid for i in range(8)}  # type: ignore[union-attr]


async def test_plain_password_never_leaves_over_plain_http() -> None:
    """A plain password is not sent to a non-loopback http server; its MD5 is."""
    sent: list[dict[str, str]] = []

    def handle(request: MockRequest) -> Any:
        sent.append(request.fields)
        return {"error_info": {"errno": 1, "error": "ok"}, "data": 5}

    transport = MockTransport(handle)
    async with eeo.Client(1, "s", base_url="http://api.example.test", transport=transport) as c:
        with pytest.raises(eeo.InputError, match="only over https") as caught:
            await c.register(email="a@b.cn", password=PASSWORD)
        with pytest.raises(eeo.InputError, match="only over https"):
            await c.modify_password_by_telephone(5, password=PASSWORD)
        assert PASSWORD not in str(caught.value)
        assert sent == []
        await c.modify_password_by_telephone(5, md5pass=OLD_MD5)
    assert sent == [{"uid": "5", "md5pass": OLD_MD5}]


async def test_passwords_change_with_and_without_the_old_one(eeo_sandbox: Sandbox) -> None:
    """modifyPassword needs the old password's MD5; ByTelephone only a school member (227)."""
    sb = eeo_sandbox
    async with client_for(sb) as client:
        member = await client.register(
            telephone="15800000004", password="123456", add_to_school_member="student"
        )
        outsider = await client.register(telephone="15800000005", password="123456")
        assert member.uid is not None
        assert outsider.uid is not None
        done = await client.modify_password(member.uid, OLD_MD5, password=PASSWORD)
        assert done.ok
        assert sb.password_matches("15800000004", PASSWORD)
        with pytest.raises(eeo.ApiError):  # the old password changed: the repeat is refused
            await client.modify_password(member.uid, OLD_MD5, password=PASSWORD)
        reset = await client.modify_password_by_telephone(member.uid, password="654321")
        assert reset.ok
        assert sb.password_matches("15800000004", "654321")
        with pytest.raises(eeo.ApiError) as refused:
            await client.modify_password_by_telephone(outsider.uid, password="654321")
    assert refused.value.errno == 227
    assert "需要调用添加学生或者添加老师接口" in refused.value.error


async def test_modify_password_is_not_resent_after_a_lost_answer() -> None:
    """modifyPassword is sent once when its answer is lost; the error says to check."""
    calls = 0

    def handle(request: MockRequest) -> Any:
        nonlocal calls
        calls += 1
        return {"error_info": {"errno": 104, "error": "操作失败"}}

    async with eeo.Client(1, "s", transport=MockTransport(handle), initial_backoff=0) as client:
        with pytest.raises(eeo.ServerBusyError, match="check before"):
            await client.modify_password(5, OLD_MD5, md5pass="a" * 32)
        await_calls = calls
        with pytest.raises(eeo.ServerBusyError):
            await client.modify_password_by_telephone(5, md5pass="a" * 32)
    assert await_calls == 1
    assert calls > 2  # the set-to-value one is retried
