"""SQLiteStore and MemoryStore: durable keys across restarts, one row per message, no SafeKey."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from webhooks_support import SECRET, SID, body, net, sign

from eeo_async.webhooks import (
    Event,
    LessonEnd,
    MemoryStore,
    Receiver,
    SQLiteStore,
    Store,
    parse,
)


def _all_bytes(folder: Path) -> bytes:
    """Every byte of every file in ``folder`` (the store, its WAL and shared memory)."""
    return b"".join(p.read_bytes() for p in sorted(folder.iterdir()))


async def test_a_duplicate_id_is_acked_without_handlers_after_a_restart(tmp_path: Path) -> None:
    """A message handled before a restart is acked without handlers when pushed again."""
    path = tmp_path / "events.db"
    calls: list[Event] = []
    first = Receiver(SID, SECRET, store=SQLiteStore(path))
    first.on_any(calls.append)
    assert (await first.handle(body(net(1)))).ok
    await first.close()

    second = Receiver(SID, SECRET, store=SQLiteStore(path))
    second.on_any(calls.append)
    assert (await second.handle(body(net(1)))).ok
    assert (await second.handle(body(net(2)))).ok
    await second.close()
    assert [e.id for e in calls] == [net(1)["_id"], net(2)["_id"]]
    assert second.stats.duplicates == 1


async def test_the_store_is_durable_wal_and_keeps_events_without_the_safekey(
    tmp_path: Path, docs_samples: dict[str, Any]
) -> None:
    """events=True keeps each message (without SafeKey) in a WAL file synced in full."""
    path = tmp_path / "events.db"
    store = SQLiteStore(path, events=True)
    receiver = Receiver(SID, SECRET, store=store)
    for doc in docs_samples.values():
        assert (await receiver.handle(body(doc))).ok
    # Another connection sees every row at once: each was committed before its ack.
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rows = conn.execute("SELECT count(*) FROM handled").fetchone()[0]
    assert rows == len(docs_samples) - 1  # the registration test is not recorded
    assert store._writer.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    stored = list(store.read(cmds=("End",)))
    assert len(stored) == 1
    assert isinstance(stored[0].event, LessonEnd)
    assert stored[0].raw == {k: v for k, v in docs_samples["End"].items() if k != "SafeKey"}
    assert store.count() == rows
    assert store.count("Net") == 2
    await receiver.close()
    content = _all_bytes(tmp_path)
    for doc in docs_samples.values():
        assert doc["SafeKey"].encode() not in content
    assert SECRET.encode() not in content


async def test_concurrent_records_share_commits_and_record_each_key_once(tmp_path: Path) -> None:
    """Many records at once (duplicates among them) end as one row per key."""
    store = SQLiteStore(tmp_path / "events.db")
    events = [parse(net(i % 150)) for i in range(400)]
    results = await asyncio.gather(*(store.record(e) for e in events))
    assert sum(results) == 150
    assert store.count() == 150
    assert await store.seen(events[0].key)
    assert not await store.seen("nope")
    await store.close()
    await store.close()  # twice is harmless
    with pytest.raises(sqlite3.ProgrammingError):
        await store.record(events[0])


async def test_read_filters_by_cmd_and_time(tmp_path: Path, docs_samples: dict[str, Any]) -> None:
    """read() keeps the handling order and filters by Cmd and by the time recorded."""
    store = SQLiteStore(tmp_path / "events.db", events=True)
    for name in ("Net", "End", "Net-short"):
        await store.record(parse(docs_samples[name]))
    assert [s.cmd for s in store.read()] == ["Net", "End", "Net"]
    assert [s.seq for s in store.read(cmds=("Net",))] == [1, 3]
    assert list(store.read(since=4_000_000_000)) == []
    await store.close()


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    """Another SQLite file (a job's journal, say) is refused, never written into."""
    path = tmp_path / "journal.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE items (key TEXT)")
    with pytest.raises(sqlite3.DatabaseError, match="not a receiver store"):
        SQLiteStore(path)
    with pytest.raises(ValueError, match="synchronous"):
        SQLiteStore(tmp_path / "x.db", synchronous="OFF")


async def test_both_stores_follow_the_store_protocol() -> None:
    """MemoryStore and SQLiteStore are Stores; the memory one records each key once."""
    memory = MemoryStore()
    assert isinstance(memory, Store)
    event = parse(net(1))
    assert await memory.record(event)
    assert not await memory.record(event)
    assert await memory.seen(event.key)
    assert memory.events == [event]
    await memory.close()


async def test_a_normal_sync_store_commits_inline_checkpoints_and_survives_a_restart(
    tmp_path: Path,
) -> None:
    """synchronous=NORMAL records on the caller's thread, checkpoints, and keeps keys on reopen."""
    path = tmp_path / "events.db"
    store = SQLiteStore(path, synchronous="normal")
    events = [parse(net(i)) for i in range(600)]  # past one checkpoint
    assert all([await store.record(e) for e in events])
    assert not await store.record(events[0])
    await store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        await store.record(events[0])
    again = SQLiteStore(path)
    assert await again.seen(events[-1].key)
    assert again.count() == 600
    await again.close()


async def test_a_push_with_lone_surrogates_is_stored_not_refused_forever(tmp_path: Path) -> None:
    """JSON escapes of lone surrogates in _id, Cmd or Data still record (a refusal would block)."""
    store = SQLiteStore(tmp_path / "events.db", events=True)
    receiver = Receiver(SID, SECRET, store=store)
    odd = sign({"Cmd": "New\ud800", "_id": "id\udfff", "Data": {"Msg": "\ud83d"}})
    raw = json.dumps(odd).encode()  # the escapes as a sender would write them
    assert (await receiver.handle(raw)).ok
    assert (await receiver.handle(raw)).ok  # and deduplicated
    (stored,) = store.read()
    assert stored.raw["Data"] == {"Msg": "\ud83d"}
    assert stored.key.startswith("sha256:")
    assert receiver.stats.duplicates == 1
    await receiver.close()
