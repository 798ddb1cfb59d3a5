"""verify(): the SID and md5(secret + TimeStamp), in constant time, with no window by default."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

import pytest
from locals_support import shown_locals
from webhooks_support import SECRET, SID, STAMP, sign

from eeo_async import InputError
from eeo_async.webhooks import Receiver, safe_key, verify

#: Values where the SID, TimeStamp or SafeKey belong that are none of them: a lone
#: surrogate (JSON "\ud800"), non-ASCII, past int()'s limit of digits, odd signs, other types.
ODD_VALUES: list[Any] = [
    "\ud800",
    "\udfff" * 32,
    "é" * 32,
    "1" * 5000,
    "--5",
    "-",
    " ",
    str(STAMP) + "\ud800",
    10**40,
    10**4000,
    -1,
    1.5,
    True,
    None,
    [],
    [STAMP],
    {"SafeKey": "x"},
    "a" * 1_000_000,
]


def test_a_signed_push_verifies_as_bytes_text_or_mapping() -> None:
    """A push signed with the school's secret verifies whatever form it is given in."""
    doc = sign({"Cmd": "End", "_id": "67caa9a7976eb388db162139"})
    for payload in (
        doc,
        json.dumps(doc),
        json.dumps(doc).encode(),
        bytearray(json.dumps(doc).encode()),
    ):
        assert verify(payload, sid=SID, secret=SECRET)
    assert verify(doc, sid=str(SID), secret=SECRET)


def test_the_docs_own_homework_example_verifies_with_its_stamp_ten_minutes_ahead() -> None:
    """The docs stamp TimeStamp = ActionTime + 600; with no window by default it verifies."""
    doc = sign({"Cmd": "HomeworkSubmit", "ActionTime": STAMP - 600})
    assert verify(doc, sid=SID, secret=SECRET, now=lambda: STAMP - 600)


def test_a_forged_safekey_or_another_secret_does_not_verify() -> None:
    """A SafeKey not made with this secret, or for another stamp, is refused."""
    assert not verify(sign({"Cmd": "End"}, secret="someone-else"), sid=SID, secret=SECRET)
    replayed = sign({"Cmd": "End"})
    replayed["TimeStamp"] += 1
    assert not verify(replayed, sid=SID, secret=SECRET)
    garbled: dict[str, Any] = sign({"Cmd": "End"})
    for value in ("", "é" * 32, 12345, None):
        garbled["SafeKey"] = value
        assert not verify(garbled, sid=SID, secret=SECRET)


def test_another_school_or_no_sid_does_not_verify() -> None:
    """A push for another SID (or none) is refused even when its SafeKey is right for it."""
    assert not verify(sign({"Cmd": "End"}, sid=SID + 1), sid=SID, secret=SECRET)
    doc = sign({"Cmd": "End"})
    del doc["SID"]
    assert not verify(doc, sid=SID, secret=SECRET)


def test_an_unsigned_push_does_not_verify() -> None:
    """The docs' End example has no SafeKey and TimeStamp: nothing proves where it came from."""
    assert not verify({"SID": SID, "Cmd": "End", "ClassID": 1}, sid=SID, secret=SECRET)
    # LiveChatMsgDetail's example: a SafeKey but no TimeStamp to check it against.
    only_key = sign({"Cmd": "LiveChatMsgDetail"})
    del only_key["TimeStamp"]
    assert not verify(only_key, sid=SID, secret=SECRET)


def test_a_stamp_given_as_text_is_hashed_as_sent() -> None:
    """A TimeStamp sent as a digit string is hashed as that text, like an int's digits."""
    doc = {"SID": SID, "Cmd": "End", "TimeStamp": str(STAMP), "SafeKey": safe_key(SECRET, STAMP)}
    assert verify(doc, sid=SID, secret=SECRET)
    assert not verify({**doc, "TimeStamp": 1.5}, sid=SID, secret=SECRET)


def test_max_age_refuses_old_stamps_only_when_asked() -> None:
    """With max_age a stamp older than it is refused; a future stamp or no max_age passes."""
    doc = sign({"Cmd": "End"})
    later = STAMP + 3600
    assert verify(doc, sid=SID, secret=SECRET, now=lambda: later)
    assert not verify(doc, sid=SID, secret=SECRET, max_age=600, now=lambda: later)
    assert verify(doc, sid=SID, secret=SECRET, max_age=600, now=lambda: STAMP - 600)


def test_not_json_does_not_verify() -> None:
    """A body that is not a JSON object is simply not a verified push."""
    for payload in (b"", b"not json", b"[1, 2]", "\ud800", b"\xff\xfe"):
        assert not verify(payload, sid=SID, secret=SECRET)


def test_the_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SafeKey is compared with hmac.compare_digest, never with ==."""
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert verify(sign({"Cmd": "End"}), sid=SID, secret=SECRET)
    assert len(calls) == 1


def test_bad_credentials_are_input_errors() -> None:
    """A bad sid or an empty secret is the caller's mistake: InputError (a ValueError)."""
    doc = sign({"Cmd": "End"})
    for sid in (0, -1, "12x", ""):
        with pytest.raises(InputError):
            verify(doc, sid=sid, secret=SECRET)
    with pytest.raises(TypeError):
        verify(doc, sid=True, secret=SECRET)
    with pytest.raises(ValueError, match="secret"):
        verify(doc, sid=SID, secret="")


async def test_a_lone_surrogate_safekey_is_refused_as_forged_not_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A SafeKey that is no ASCII text is FORGED: 403 and counted, never an exception."""
    raw = b'{"SID":%d,"SafeKey":"\\ud800","TimeStamp":1}' % SID
    assert json.loads(raw)["SafeKey"] == "\ud800"
    assert not verify(raw, sid=SID, secret=SECRET)
    for receiver in (Receiver(SID, SECRET), Receiver(SID, SECRET, allow_unsigned=True)):
        with caplog.at_level(logging.WARNING, logger="eeo_async"):
            reply = await receiver.handle(raw)
        assert reply.status == 403
        assert receiver.stats.refused == 1
        assert "the SafeKey does not match" in caplog.text
        caplog.clear()
    # A SafeKey that is there but no text is no proof either, even where unsigned is allowed.
    lenient = Receiver(SID, SECRET, allow_unsigned=True)
    assert (await lenient.handle(json.dumps({**sign({}), "SafeKey": 12345}).encode())).status == 403


@pytest.mark.parametrize("field", ["SID", "TimeStamp", "SafeKey"])
async def test_odd_values_in_the_signature_are_refusals_never_errors(field: str) -> None:
    """Whatever sits in SID, TimeStamp or SafeKey, verify() says False and handle() 403."""
    receiver = Receiver(SID, SECRET)
    for value in ODD_VALUES:
        doc = {**sign({"Cmd": "End", "_id": "a"}), field: value}
        raw = json.dumps(doc).encode()  # the escapes as a sender writes them
        assert not verify(raw, sid=SID, secret=SECRET), value
        assert not verify(doc, sid=SID, secret=SECRET), value
        assert (await receiver.handle(raw)).status == 403, value
    assert receiver.stats.refused == len(ODD_VALUES)
    # A secret UTF-8 cannot hold (no real one) verifies nothing rather than raising.
    assert not verify(sign({"Cmd": "End"}), sid=SID, secret="s\ud800")


def test_no_error_of_verification_shows_the_secret_among_its_locals() -> None:
    """A bad SID raises InputError, and no frame of the SDK in its traceback holds the secret."""
    doc = sign({"Cmd": "End"})
    for call in (
        lambda: verify(doc, sid="", secret=SECRET),
        lambda: Receiver("12x", SECRET),
        lambda: Receiver(SID, SECRET, max_body=0),
    ):
        with pytest.raises(InputError) as raised:
            call()
        shown = shown_locals(raised.value)
        assert "sid=" in shown  # the SDK's frames were seen
        assert SECRET not in shown
