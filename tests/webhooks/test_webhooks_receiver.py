"""Receiver.handle(): 403/400/413 refusals, ack after handlers and record, dedup, failures."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from webhooks_support import SECRET, SID, STAMP, body, net, sign

from eeo_async import InputError
from eeo_async.webhooks import (
    ACK_BODY,
    Event,
    HandsUp,
    LessonEnd,
    MemoryStore,
    Receiver,
    RegistrationTest,
    UnknownEvent,
    verify,
)
from eeo_async.webhooks._receiver import _PLANS_REMEMBERED

ACK = '{"error_info":{"errno":1,"error":"程序正常执行"}}'.encode()


def _receiver(**kwargs: Any) -> Receiver:
    return Receiver(SID, SECRET, **kwargs)


async def test_a_good_push_is_acked_with_the_documented_body(docs_samples: dict[str, Any]) -> None:
    """A signed push answers 200 with exactly the docs' success JSON, errno the int 1."""
    receiver = _receiver()
    reply = await receiver.handle(body(docs_samples["End"]))
    assert (reply.status, reply.body, reply.ok) == (200, ACK, True)
    assert ACK_BODY == ACK
    assert json.loads(reply.body)["error_info"]["errno"] == 1


async def test_every_sample_is_acked_and_recorded_once(docs_samples: dict[str, Any]) -> None:
    """Every documented message is handled; the registration test is acked but not recorded."""
    store = MemoryStore()
    receiver = _receiver(store=store)
    seen: list[Event] = []
    receiver.on_any(seen.append)
    for doc in docs_samples.values():
        assert (await receiver.handle(body(doc))).ok
    assert len(seen) == len(store.events) == len(docs_samples) - 1
    assert receiver.stats.tests == 1
    assert receiver.stats.acked == len(docs_samples) - 1


async def test_a_forged_push_gets_403_and_no_handler_runs() -> None:
    """A SafeKey made with another secret is refused with 403 before any handler."""
    receiver = _receiver()
    calls: list[Event] = []
    receiver.on_any(calls.append)
    reply = await receiver.handle(body(sign({"Cmd": "End", "_id": "a"}, secret="guess")))
    assert (reply.status, reply.ok) == (403, False)
    assert json.loads(reply.body)["error_info"]["errno"] != 1
    assert calls == []
    assert receiver.stats.refused == 1


async def test_another_sid_gets_403_and_no_handler_runs() -> None:
    """A push for another school, correctly signed for it, is refused with 403."""
    receiver = _receiver()
    calls: list[Event] = []
    receiver.on_any(calls.append)
    reply = await receiver.handle(body(sign({"Cmd": "End", "_id": "a"}, sid=SID + 1)))
    assert reply.status == 403
    assert calls == []


async def test_an_unsigned_push_is_refused_unless_allowed(docs_samples: dict[str, Any]) -> None:
    """The docs' End example carries no SafeKey: refused by default, accepted when allowed."""
    unsigned = {k: v for k, v in docs_samples["End"].items() if k not in ("SafeKey", "TimeStamp")}
    assert (await _receiver().handle(body(unsigned))).status == 403
    lenient = _receiver(allow_unsigned=True)
    assert (await lenient.handle(body(unsigned))).ok
    # Allowing unsigned pushes never lets a wrong SafeKey through.
    forged = sign(unsigned, secret="guess")
    assert (await lenient.handle(body(forged))).status == 403


async def test_a_body_that_is_not_json_gets_400() -> None:
    """Not JSON, or JSON that is not an object (the docs' single-quoted FileCov too): 400."""
    receiver = _receiver()
    for raw in (b"", b"SID=1&Cmd=End", b"[1]", b"{'Cmd': 'FileCov'}", b"\xff"):
        reply = await receiver.handle(raw)
        assert reply.status == 400
    assert receiver.stats.malformed == 5


async def test_a_body_nested_too_deep_gets_400_never_an_error() -> None:
    """Lists or objects nested more than 64 levels (past the stack, or near it) are not a push."""
    receiver = _receiver()
    signed = json.dumps(net(1))[:-1]
    for depth in (64, 100_000):
        raw = f'{signed}, "X": {"[" * depth}{"]" * depth}}}'.encode()
        assert (await receiver.handle(raw)).status == 400
        assert not verify(raw, sid=SID, secret=SECRET)
    assert receiver.stats.malformed == 2
    shallow = f'{signed}, "X": {"[" * 62}{"]" * 62}}}'.encode()  # 63 levels with the push
    assert (await receiver.handle(shallow)).ok


async def test_a_body_over_the_cap_gets_413() -> None:
    """A body longer than max_body is refused with 413 before it is parsed."""
    receiver = _receiver(max_body=1024)
    big = sign({"Cmd": "End", "Data": {"x": "y" * 2000}})
    assert (await receiver.handle(body(big))).status == 413
    assert (await receiver.handle(body(net(1)))).ok


async def test_the_registration_test_is_acked(docs_samples: dict[str, Any]) -> None:
    """ClassIn's Test message is acked without handlers and without being recorded."""
    store = MemoryStore()
    receiver = _receiver(store=store)
    calls: list[Event] = []
    receiver.on_any(calls.append)
    assert (await receiver.handle(body(docs_samples["Test"]))).ok
    assert (calls, store.keys) == ([], set())
    assert (await receiver.handle(body(sign({"Cmd": "Test"}, secret="guess")))).status == 403


async def test_a_repeated_id_is_acked_without_running_handlers_again() -> None:
    """The same _id pushed again (a lost ack) is acked; its handler ran once."""
    receiver = _receiver()
    calls: list[Event] = []
    receiver.on("Net")(calls.append)
    message = net(7)
    for _ in range(3):
        assert (await receiver.handle(body(message))).ok
    assert len(calls) == 1
    assert receiver.stats.duplicates == 2


async def test_a_push_without_id_is_deduplicated_by_its_content() -> None:
    """Without _id, a re-push stamped afresh is the same message; other content is not."""
    receiver = _receiver()
    calls: list[Event] = []
    receiver.on("Rating")(calls.append)
    rating = {"Cmd": "Rating", "ClassID": 1, "TUID": 9, "Comments": {"5": {"S2T": {"Score": 4}}}}
    assert (await receiver.handle(body(sign(rating, stamp=STAMP)))).ok
    assert (await receiver.handle(body(sign(rating, stamp=STAMP + 10)))).ok
    newer = {**rating, "Comments": {"5": {"S2T": {"Score": 5}}}}
    assert (await receiver.handle(body(sign(newer)))).ok
    assert len(calls) == 2


async def test_a_failing_handler_is_not_acked_logged_once_and_handled_once_later(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A raising handler answers 500 and records nothing; the re-push runs it again, once."""
    receiver = _receiver()
    outcomes: list[str] = []

    @receiver.on("End")
    async def store_attendance(event: Event) -> None:
        if len(outcomes) < 2:
            outcomes.append("failed")
            raise RuntimeError("database is down")
        outcomes.append("done")

    message = sign({"Cmd": "End", "_id": "67caa9a7976eb388db162139", "ClassID": 5})
    with caplog.at_level(logging.DEBUG, logger="eeo_async"):
        first = await receiver.handle(body(message))
        second = await receiver.handle(body(message))
    assert (first.status, second.status) == (500, 500)
    assert json.loads(first.body)["error_info"]["errno"] != 1
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failures) == 2  # one record per failed push
    assert "End" in failures[0].getMessage()
    assert "67caa9a7976eb388db162139" in failures[0].getMessage()
    assert failures[0].exc_info is not None  # the traceback once per message
    assert not failures[1].exc_info
    assert (await receiver.handle(body(message))).ok
    assert (await receiver.handle(body(message))).ok
    assert outcomes == ["failed", "failed", "done"]
    assert receiver.stats.failed == 2
    assert receiver.stats.acked == 1
    text = caplog.text
    assert message["SafeKey"] not in text
    assert SECRET not in text


async def test_two_identical_pushes_at_once_run_the_handlers_once() -> None:
    """A second push arriving while the first is being handled waits, then is a duplicate."""
    receiver = _receiver()
    entered = asyncio.Event()
    release = asyncio.Event()
    calls = 0

    @receiver.on("Net")
    async def slow(event: Event) -> None:
        nonlocal calls
        calls += 1
        entered.set()
        await release.wait()

    message = body(net(1))
    first = asyncio.create_task(receiver.handle(message))
    await entered.wait()
    second = asyncio.create_task(receiver.handle(message))
    other = asyncio.create_task(receiver.handle(body(net(2))))
    await asyncio.sleep(0)
    assert not first.done()
    assert not second.done()
    release.set()
    replies = await asyncio.gather(first, second, other)
    assert all(r.ok for r in replies)
    assert calls == 2  # message 1 once, message 2 once
    assert receiver.stats.duplicates == 1


async def test_the_ack_waits_for_the_record() -> None:
    """handle() does not answer until the store has recorded the message."""
    entered = asyncio.Event()
    allow = asyncio.Event()

    class SlowStore(MemoryStore):
        async def record(self, event: Event) -> bool:
            entered.set()
            await allow.wait()
            return await super().record(event)

    store = SlowStore()
    receiver = _receiver(store=store)
    task = asyncio.create_task(receiver.handle(body(net(1))))
    await entered.wait()
    assert not task.done()  # the handlers returned, the record has not: no answer yet
    allow.set()
    reply = await task
    assert reply.ok
    assert store.keys == {net(1)["_id"]}


async def test_a_store_error_is_not_acked(caplog: pytest.LogCaptureFixture) -> None:
    """When the store cannot record or read, the answer is 503: ClassIn pushes it again."""

    class BrokenStore(MemoryStore):
        async def record(self, event: Event) -> bool:
            raise OSError("disk full")

    class UnreadableStore(MemoryStore):
        async def seen(self, key: str) -> bool:
            raise OSError("I/O error")

    with caplog.at_level(logging.ERROR, logger="eeo_async"):
        for store in (BrokenStore(), UnreadableStore()):
            receiver = _receiver(store=store)
            receiver.on_any(lambda event: None)  # with a handler, seen() is asked first
            reply = await receiver.handle(body(net(1)))
            assert reply.status == 503
            assert receiver.stats.store_errors == 1
    assert "Net" in caplog.text


async def test_handlers_sync_or_async_run_in_order_with_filters(
    docs_samples: dict[str, Any],
) -> None:
    """Sync and async handlers run in registration order; on(HandsUp) gets only hands."""
    receiver = _receiver()
    order: list[str] = []
    receiver.on("End")(lambda e: order.append("sync End"))

    @receiver.on(LessonEnd)
    async def typed(event: LessonEnd) -> None:
        order.append(f"async End {len(event.attendance)}")

    receiver.on_any(lambda e: order.append(f"any {type(e).__name__}"))
    receiver.on(HandsUp)(lambda e: order.append("hands"))
    receiver.on(67375105)(lambda e: order.append("tool"))
    receiver.on("67375105")(lambda e: order.append("tool as text"))
    for name in ("End", "67375105-award", "67375105-hands-up"):
        assert (await receiver.handle(body(docs_samples[name]))).ok
    assert order == [
        "sync End",
        "async End 3",
        "any LessonEnd",
        "any Award",
        "tool",
        "tool as text",
        "any HandsUp",
        "hands",
        "tool",
        "tool as text",
    ]


async def test_an_unknown_cmd_is_acked_recorded_and_seen_by_on_any() -> None:
    """A Cmd ClassIn adds later is acked and stored, not refused (it would block the queue)."""
    store = MemoryStore()
    receiver = _receiver(store=store)
    seen: list[Event] = []
    receiver.on_any(seen.append)
    receiver.on("BrandNew")(seen.append)
    assert (await receiver.handle(body(sign({"Cmd": "BrandNew", "_id": "n1"})))).ok
    assert [type(e) for e in seen] == [UnknownEvent, UnknownEvent]
    assert store.keys == {"n1"}


async def test_max_age_refuses_stale_pushes_only_when_set() -> None:
    """With max_age a push stamped too long ago gets 403; by default it is acked."""
    old = body(net(1))
    assert (await _receiver(clock=lambda: STAMP + 86_400).handle(old)).ok
    strict = _receiver(max_age=3600, clock=lambda: STAMP + 86_400)
    assert (await strict.handle(body(net(2)))).status == 403


def test_the_secret_is_never_shown_and_bad_settings_are_refused() -> None:
    """repr shows the SID, not the secret; bad settings raise InputError at once."""
    receiver = _receiver()
    assert SECRET not in repr(receiver)
    assert str(SID) in repr(receiver)
    for kwargs in ({"max_body": 0}, {"max_age": 0}, {"max_age": -5}):
        with pytest.raises(InputError):
            _receiver(**kwargs)
    with pytest.raises(InputError):
        Receiver(SID, "")
    with pytest.raises(TypeError):
        receiver.on(3.5)  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        receiver.on_any("not callable")  # type: ignore[type-var]


def test_on_the_registration_test_is_refused_by_name() -> None:
    """on("Test") or on(RegistrationTest) would never run: InputError names what was given."""
    receiver = _receiver()
    for cmd, shown in (("Test", "'Test'"), (RegistrationTest, "RegistrationTest")):
        with pytest.raises(InputError, match=rf"on\({shown}\).*registration test"):
            receiver.on(cmd)
    receiver.on("Test ")(print)  # another Cmd, however close


async def test_a_forged_push_cannot_take_a_real_messages_id_first() -> None:
    """Refused pushes are never recorded: the real message with their _id still runs."""
    for handlers in (True, False):  # without handlers, recording is the only check
        store = MemoryStore()
        receiver = _receiver(store=store)
        calls: list[Event] = []
        if handlers:
            receiver.on_any(calls.append)
        real = net(1)
        unsigned = {k: v for k, v in real.items() if k not in ("SafeKey", "TimeStamp")}
        for fake in (
            sign(real, secret="guess"),
            sign(real, sid=SID + 1),
            unsigned,
            sign({**real, "_id": None}, secret="guess"),  # deduplicated by content
        ):
            assert (await receiver.handle(body(fake))).status == 403
        assert store.keys == set()
        assert (await receiver.handle(body(real))).ok
        assert (await receiver.handle(body({**real, "_id": None}))).ok
        assert receiver.stats.duplicates == 0
        assert receiver.stats.acked == 2
        assert len(calls) == (2 if handlers else 0)


async def test_the_handlers_remembered_per_cmd_are_bounded() -> None:
    """Pushes of ever new Cmds do not grow the receiver without limit; handlers still run."""
    receiver = _receiver()
    seen: list[str] = []
    receiver.on_any(lambda e: seen.append(str(e.cmd)))
    receiver.on("New0")(lambda e: seen.append("New0 again"))
    cmds = [f"New{n}" for n in range(_PLANS_REMEMBERED + 50)]
    for n, cmd in enumerate([*cmds, "New0"]):
        assert (await receiver.handle(body(sign({"Cmd": cmd, "_id": f"n{n}"})))).ok
    assert len(receiver._plans) <= _PLANS_REMEMBERED
    assert seen[:2] == seen[-2:] == ["New0", "New0 again"]
    assert len(seen) == len(cmds) + 3
