"""A report's outcome columns: each item's errno, message, attempts and outcome, compactly.

Per item: the errno (4 bytes), the position of its message in a table of distinct texts
(4), its attempts (2), its outcome code (1) and, for registrations, its UID (8). A message
is kept once per distinct text and cut to :data:`MAX_TEXT_CHARS`. Counts by outcome are
kept as outcomes are recorded, and the digest a summary draws is found by C-speed passes.
The report owns one; the readers of ``formats`` fill one straight from a file.
"""

from __future__ import annotations

import itertools
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final

from .._codes import LocalErrno, describe
from .._errors import InputError
from .._models import OUTCOMES, ItemResult

#: Outcome codes in the outcome column: 0 means no outcome yet.
PENDING, SUCCEEDED, ALREADY, FAILED, UNKNOWN = range(5)
#: Outcome name -> its code.
OUTCOME_CODES: Final[dict[str, int]] = {name: code for code, name in enumerate(OUTCOMES, start=1)}
#: The longest message a report or a journal keeps, in characters: a server that answers
#: half a megabyte of text for every item costs this much per distinct text, no more.
MAX_TEXT_CHARS: Final = 500
_ELLIPSIS: Final = "\u2026"
_MAX_ATTEMPTS: Final = 0xFFFF
#: Outcome code -> 1 where the item is not done (pending, failed, unknown), for a C-speed
#: mask of the outcome column.
_NOT_DONE: Final = bytes([1, 0, 0, 1, 1]) + bytes(251)
_UNKNOWN: Final = bytes([0, 0, 0, 0, 1]) + bytes(251)
_NO_OUTCOME: Final = "No outcome yet."
#: An item's settled fields: errno, text position, attempts, outcome code.
Entry = tuple[int, int, int, int]


def cap_text(text: str) -> str:
    """``text``, cut to :data:`MAX_TEXT_CHARS` characters ending in an ellipsis if longer."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    return text[: MAX_TEXT_CHARS - 1] + _ELLIPSIS


class Columns:
    """The outcome columns of ``size`` items, all pending at first.

    Args:
        size: the number of items.
        uids: keep a UID per item (``register``'s answers carry one).
        answer: keep the ID each item's answer carries, under this name (``"uid"``,
            ``"activity_id"`` ...); ``uids=True`` is ``answer="uid"``.
    """

    def __init__(self, size: int = 0, *, uids: bool = False, answer: str | None = None) -> None:
        self.errnos = array("i", bytes(4 * size))
        self.attempts = array("H", bytes(2 * size))
        self.texts = array("I", bytes(4 * size))
        self.outcomes = array("B", bytes(size))
        #: The name of the ID each item's answer carries: the column's name in records.
        self.answer: str | None = answer if answer is not None else "uid" if uids else None
        #: That ID of each item (0 = none), only for operations whose answers carry one.
        self.uids: array[int] | None = (
            array("q", bytes(8 * size)) if self.answer is not None else None
        )
        #: Items by outcome code, PENDING first.
        self.counts = [size, 0, 0, 0, 0]
        self.text_table: list[str] = []
        self.text_index: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.errnos)

    # ------------------------------------------------------------------ recording

    def text(self, error: str) -> int:
        """The position of ``error`` in the text table, cut and added if new.

        Only the cut text is a key, so a long message is held once, and only cut.
        """
        position = self.text_index.get(error)
        if position is None:
            text = cap_text(error)
            position = self.text_index.get(text)
            if position is None:
                position = self.text_index[text] = len(self.text_table)
                self.text_table.append(text)
        return position

    def record_many(self, entries: Iterable[tuple[int, int, str, int, int]]) -> None:
        """Record ``(row, errno, error, attempts, outcome code)`` entries in one pass."""
        errnos, texts, attempts, outcomes = self.errnos, self.texts, self.attempts, self.outcomes
        index, counts = self.text_index, self.counts
        for row, errno, error, tries, code in entries:
            position = index.get(error)
            if position is None:
                position = self.text(error)
            counts[outcomes[row]] -= 1
            counts[code] += 1
            errnos[row] = errno
            texts[row] = position
            attempts[row] = tries if tries < _MAX_ATTEMPTS else _MAX_ATTEMPTS
            outcomes[row] = code

    def record_same(
        self,
        rows: Sequence[int],
        errno: int,
        error: str,
        attempts: int | Sequence[int],
        code: int,
    ) -> None:
        """Record one outcome for many rows; ``attempts`` for all of them or per row."""
        position = self.text(error)
        count = len(rows)
        outcomes, counts = self.outcomes, self.counts
        tries = attempts if isinstance(attempts, int) else 0
        if (
            type(rows) is range
            and rows.step > 0
            and isinstance(attempts, int)
            and outcomes[rows.start : rows.stop : rows.step].count(0) == count
        ):
            # Fresh rows in a regular run (a student's lessons, or a lesson's students in
            # an enrolment): whole slices at C speed.
            where = slice(rows.start, rows.stop, rows.step)
            self.errnos[where] = array("i", [errno]) * count
            self.texts[where] = array("I", [position]) * count
            self.attempts[where] = array("H", [min(tries, _MAX_ATTEMPTS)]) * count
            outcomes[where] = array("B", [code]) * count
            counts[PENDING] -= count
            counts[code] += count
            return
        errnos, texts, column = self.errnos, self.texts, self.attempts
        for index, row in enumerate(rows):
            counts[outcomes[row]] -= 1
            counts[code] += 1
            errnos[row] = errno
            texts[row] = position
            value = tries or attempts[index]  # type: ignore[index]
            column[row] = value if value < _MAX_ATTEMPTS else _MAX_ATTEMPTS
            outcomes[row] = code

    # -------------------------------------------------------------------- reading

    def uid(self, row: int) -> int | None:
        """The answer's ID of ``row`` (a UID, an activity ID ...), ``None`` if it has none."""
        return (self.uids[row] or None) if self.uids is not None else None

    def result(self, row: int) -> ItemResult:
        """The :class:`ItemResult` of ``row`` (``NOT_SENT`` while it has none).

        The answer's ID is its ``id``, and also its ``uid`` when it is a UID.
        """
        code = self.outcomes[row]
        found = self.uid(row)
        uid = found if self.answer == "uid" else None
        if not code:
            return ItemResult(
                LocalErrno.NOT_SENT, _NO_OUTCOME, 0, outcome="failed", uid=uid, id=found
            )
        outcome = OUTCOMES[code - 1]
        return ItemResult(
            self.errnos[row],
            self.text_table[self.texts[row]],
            self.attempts[row],
            already=outcome == "already",
            outcome=outcome,
            uid=uid,
            id=found,
        )

    def error_text(self, row: int) -> str:
        """The message recorded for ``row``."""
        return self.text_table[self.texts[row]] if self.outcomes[row] else _NO_OUTCOME

    def records(self, fields: tuple[str, ...], keys: Iterable[Any]) -> Iterator[dict[str, Any]]:
        """One dict per item: key fields, errno, error, meaning, attempts, outcome (an ID).

        The answer's ID, where the items have one, is last, named by :attr:`answer`.
        """
        answer = self.answer or "uid"
        table, errnos, texts, attempts, outcomes, uids = (
            self.text_table,
            self.errnos,
            self.texts,
            self.attempts,
            self.outcomes,
            self.uids,
        )
        meanings: dict[int, str] = {}
        for row, key in enumerate(keys):
            record: dict[str, Any] = dict(
                zip(fields, key if isinstance(key, tuple) else (key,), strict=True)
            )
            code = outcomes[row]
            errno = errnos[row] if code else int(LocalErrno.NOT_SENT)
            meaning = meanings.get(errno)
            if meaning is None:
                meaning = meanings[errno] = describe(errno)
            record["errno"] = errno
            record["error"] = table[texts[row]] if code else _NO_OUTCOME
            record["meaning"] = meaning
            record["attempts"] = attempts[row] if code else 0
            record["outcome"] = OUTCOMES[code - 1] if code else "failed"
            if uids is not None:
                record[answer] = uids[row] or None
            yield record

    # ------------------------------------------------------------- from a file

    def settle(self, errno: int, error: str, attempts: int, outcome: str) -> Entry:
        """An item's fields as stored; an outcome that is none of the four is refused."""
        outcome = outcome or ItemResult(errno, "").outcome
        code = OUTCOME_CODES.get(outcome)
        if code is None:
            message = f"item {len(self) + 1} has an unknown outcome {outcome!r:.40}"
            raise InputError(message)
        return errno, self.text(error), min(attempts, _MAX_ATTEMPTS), code

    def append(self, entry: Entry, uid: int | None) -> None:
        """Add one more item with its settled fields and answer's ID (``None``: no such field)."""
        errno, position, attempts, code = entry
        row = len(self.errnos)
        self.errnos.append(errno)
        self.texts.append(position)
        self.attempts.append(attempts)
        self.outcomes.append(code)
        self.counts[code] += 1
        if uid is not None and self.uids is None:
            self.uids = array("q", bytes(8 * row))
        if self.uids is not None:
            self.uids.append(uid or 0)

    # ------------------------------------------------------------------- digest

    def pending_rows(self) -> list[int]:
        """Rows without an outcome yet, in input order."""
        return [row for row, code in enumerate(self.outcomes) if not code]

    def not_done_by_errno(self) -> dict[int, int]:
        """How many items not done (failed, unknown, not sent) ended with each errno."""
        return self._not_done_counts(self.outcomes.tobytes().translate(_NOT_DONE))

    def _not_done_counts(self, mask: bytes) -> dict[int, int]:
        counts = Counter(itertools.compress(self.errnos, mask))
        pending = counts.pop(0, 0)  # rows with no outcome yet hold errno 0
        if pending:
            counts[LocalErrno.NOT_SENT] += pending
        return dict(counts)

    def unknown_by_errno(self) -> Counter[int]:
        """How many items of unknown outcome ended with each errno."""
        if not self.counts[UNKNOWN]:
            return Counter()
        return Counter(itertools.compress(self.errnos, self.outcomes.tobytes().translate(_UNKNOWN)))

    def not_done_digest(
        self, examples: int, first: int
    ) -> tuple[dict[int, int], dict[int, list[int]], list[int]]:
        """Counts by errno, up to ``examples`` rows per errno and the ``first`` rows.

        Rows are found by C-speed searches of the columns, not visited one by one.
        """
        mask = self.outcomes.tobytes().translate(_NOT_DONE)
        counts = self._not_done_counts(mask)
        rows: list[int] = []
        at = mask.find(1)
        while at >= 0 and len(rows) < first:
            rows.append(at)
            at = mask.find(1, at + 1)
        column = self.errnos.tobytes()
        found = {}
        for errno in counts:
            # Rows not yet answered hold errno 0 and count as not sent.
            values = (0, errno) if errno == LocalErrno.NOT_SENT else (errno,)
            hits = [row for value in values for row in rows_of(column, mask, value, examples)]
            found[errno] = sorted(hits)[:examples]
        return counts, found, rows

    def mask(self, codes: frozenset[int]) -> bytes:
        """One byte a row: 1 where the outcome code is one of ``codes``."""
        table = bytes(1 if code in codes else 0 for code in range(256))
        return self.outcomes.tobytes().translate(table)


def rows_of(column: bytes, mask: bytes, value: int, limit: int) -> list[int]:
    """Up to ``limit`` rows, in order, whose errno is ``value`` and whose mask byte is 1.

    ``column`` is the errno column's bytes (4 a row): a byte search finds candidates at
    C speed, and only matches are looked at here.
    """
    pattern = array("i", [value]).tobytes()
    size = len(pattern)
    found: list[int] = []
    at = column.find(pattern)
    while at >= 0 and len(found) < limit:
        if at % size:  # straddles two rows: look again from the next row
            at = column.find(pattern, at + size - at % size)
            continue
        if mask[at // size]:
            found.append(at // size)
        at = column.find(pattern, at + size)
    return found
