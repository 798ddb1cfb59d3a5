"""How a report reads: one digest of it, drawn as aligned text (here) or HTML (``html``).

The text (``BatchReport.summary()``, the command's output) and the HTML
(``BatchReport._repr_html_``, a notebook's table) list the same things: every outcome
count (``not sent`` apart from ``failed``), duplicates, calls, retries and time; the
warnings (items done with a side failure, by errno); then each errno that left items not
done, with its count, its documented English meaning, the server's own message, a few
example keys and the next step ("run again", "fix the lesson list"); then the first few
items not done. The SDK's own codes are shown as words ("not sent"), never as the
negative numbers the files keep. Both stay small for any report: the counts come from
C-speed passes over the report's columns, and only the items shown are looked at one by
one. ``brief`` text (what the command prints after a stop) keeps the stop, the counts that
are not zero and the next steps.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import Any, Final, Protocol

import attrs

from .._codes import LocalErrno, describe, label, next_step
from .._errors import InputError
from .._limits import ConcurrencyRecord
from .._models import ItemResult

#: Example keys shown per errno, and items shown in the "first not done" list.
EXAMPLES: Final = 3
FIRST: Final = 5
#: Errnos listed one by one; the rest are counted on one line.
ERRNOS: Final = 10
#: Columns of the text summary; characters that a terminal draws two columns wide
#: (Chinese, Japanese, Korean) count two.
WIDTH: Final = 80
MIN_WIDTH: Final = 40
_KEY: Final = 24
_ELLIPSIS: Final = "\u2026"
_NOT_SENT: Final = int(LocalErrno.NOT_SENT)
_OUTCOME_ROWS: Final = frozenset({"items", "succeeded", "already", "failed", "unknown", "not sent"})


class Counts(Protocol):
    """What a progress display reads of a report: its counts and why it stopped."""

    @property
    def total(self) -> int: ...
    @property
    def pending(self) -> int: ...
    @property
    def succeeded(self) -> int: ...
    @property
    def already(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def unknown(self) -> int: ...
    @property
    def not_sent(self) -> int: ...

    elapsed: float
    stopped_by: Any
    stop_reason: str | None


class Viewed(Counts, Protocol):
    """What the view reads of a report (``BatchReport`` is one), so it imports none."""

    operation: str
    course_id: int
    key_fields: tuple[str, ...]
    action: str
    duplicates: int
    calls: int
    retries: int
    busy_calls: int
    concurrency: ConcurrencyRecord | None

    def _not_done_digest(
        self, examples: int, first: int
    ) -> tuple[dict[int, int], dict[int, list[int]], list[int]]: ...
    def _side_digest(self) -> tuple[dict[int, int], dict[int, int]]: ...
    def _unknown_by_errno(self) -> Counter[int]: ...
    def error_text(self, row: int) -> str: ...
    def key(self, row: int) -> Any: ...
    def result(self, row: int) -> ItemResult: ...


@attrs.frozen
class ErrnoLine:
    """An errno that left items not done (or, as a warning, done with a side failure)."""

    errno: int
    count: int
    #: Of ``count``, the items of unknown outcome (the rest failed or were not sent).
    unknown: int
    meaning: str
    message: str
    examples: tuple[str, ...]
    #: What to do next about these items ("run again", "fix the lesson list" ...).
    step: str = ""

    @property
    def label(self) -> str:
        """The errno as shown: its number, or words for the SDK's own codes."""
        return label(self.errno)


@attrs.frozen
class ItemLine:
    """One item not done, as shown."""

    key: str
    outcome: str
    errno: int
    error: str


@attrs.frozen
class Digest:
    """Everything a person reads of a report, computed once for both drawings."""

    title: str
    counts: tuple[tuple[str, str, str], ...]  # label, value, a note beside it
    errnos: tuple[ErrnoLine, ...]
    first: tuple[ItemLine, ...]
    key_label: str
    #: Items not done with an errno beyond the first ``ERRNOS`` (by count).
    more_errnos: int
    #: Codes of items done with a side failure: a warning each (841 ...).
    warnings: tuple[ErrnoLine, ...] = ()
    #: The outcome counts in one line, for a headline: ``2,700 succeeded, 30 failed``.
    headline: tuple[tuple[str, int], ...] = ()


def digest(report: Viewed) -> Digest:
    """The digest of ``report``: counts, warnings, failing errnos with examples and steps."""
    counts, examples, first = report._not_done_digest(EXAMPLES, FIRST)
    unknown = report._unknown_by_errno()
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    errnos = tuple(
        ErrnoLine(
            errno=errno,
            count=count,
            unknown=unknown[errno],
            meaning=describe(errno),
            message=clean(report.error_text(examples[errno][0])) if examples.get(errno) else "",
            examples=tuple(clean(key_text(report.key(row))) for row in examples.get(errno, ())),
            step=next_step(errno) if count > unknown[errno] else "run again",
        )
        for errno, count in ranked[:ERRNOS]
    )
    sides, side_rows = report._side_digest()
    warnings = tuple(
        ErrnoLine(
            errno=errno,
            count=count,
            unknown=0,
            meaning=describe(errno),
            message=clean(report.error_text(side_rows[errno])),
            examples=(),
        )
        for errno, count in sorted(sides.items(), key=lambda pair: (-pair[1], pair[0]))
    )
    items = []
    for row in first:
        result = report.result(row)
        items.append(
            ItemLine(
                key=clean(key_text(report.key(row))),
                outcome="not sent" if result.errno == _NOT_SENT else result.outcome,
                errno=result.errno,
                error=clean(result.error),
            )
        )
    return Digest(
        title=clean(_title(report)),
        counts=tuple((label, value, clean(note)) for label, value, note in _counts(report)),
        errnos=errnos,
        first=tuple(items),
        key_label=clean("/".join(report.key_fields)),
        more_errnos=sum(count for _, count in ranked[ERRNOS:]),
        warnings=warnings,
        headline=headline(report),
    )


def headline(report: Counts) -> tuple[tuple[str, int], ...]:
    """The outcome counts that are not zero, failures first (``succeeded`` always)."""
    pairs = (
        ("failed", report.failed),
        ("unknown", report.unknown),
        ("not sent", report.not_sent),
        ("succeeded", report.succeeded),
        ("already", report.already),
    )
    return tuple((name, count) for name, count in pairs if count or name == "succeeded")


def key_text(key: object) -> str:
    """A key as shown: ``123`` or ``1001/10001`` for a pair."""
    if isinstance(key, tuple):
        return "/".join(str(part) for part in key)
    return str(key)


def _title(report: Viewed) -> str:
    if not report.operation:
        # A report read back from CSV: only the items are known, no calls or time.
        items = "item" if report.total == 1 else "items"
        return f"{report.total:,} {items} keyed by {', '.join(report.key_fields)} (from CSV)"
    course = f" (course {report.course_id})" if report.course_id else ""
    action = f" via {report.action}" if report.action else ""
    return f"{report.operation}{course}{action}"


def _counts(report: Viewed) -> tuple[tuple[str, str, str], ...]:
    def note(count: int, words: str) -> str:
        return words if count else ""

    rows = [
        ("items", f"{report.total:,}", ""),
        ("succeeded", f"{report.succeeded:,}", ""),
        ("already", f"{report.already:,}", note(report.already, "in place before this job")),
        ("failed", f"{report.failed:,}", note(report.failed, "sent and refused")),
        ("unknown", f"{report.unknown:,}", note(report.unknown, "may be applied: run again")),
    ]
    if report.not_sent:
        rows.append(("not sent", f"{report.not_sent:,}", "the job stopped first: run again"))
    rows.append(
        ("duplicates", f"{report.duplicates:,}", note(report.duplicates, "dropped from input"))
    )
    if report.pending:
        rows.insert(5, ("pending", f"{report.pending:,}", "no outcome yet"))
    if report.operation:
        rows += [
            ("calls", f"{report.calls:,}", f"{report.busy_calls:,} answered busy"),
            ("retries", f"{report.retries:,}", "calls that re-sent items"),
            ("time", f"{report.elapsed:.2f} s", ""),
        ]
    record = report.concurrency
    if record is not None:
        kind = "adaptive" if record.adaptive else "fixed"
        rows.append(
            (
                "concurrency",
                f"{record.mean:.1f}",
                f"{kind}, on average; {record.start} first, {record.lowest} to "
                f"{record.highest}, {record.final} last",
            )
        )
    if report.stop_reason:
        rows.append(("stopped early", "", report.stop_reason))
    return tuple(rows)


# -------------------------------------------------------------------------- text


def text(report: Viewed, width: int = WIDTH, *, brief: bool = False) -> str:
    """The digest as aligned plain text, no line wider than ``width`` terminal columns.

    With ``brief``: the title, the stop, the counts that are not zero and one next step
    per errno, as the command prints a stopped job.

    Raises:
        InputError: ``width`` is not a whole number of at least :data:`MIN_WIDTH`.
    """
    if type(width) is not int or width < MIN_WIDTH:
        message = f"width must be a whole number of columns from {MIN_WIDTH}, got {width!r}"
        raise InputError(message)
    view = digest(report)
    lines = [view.title]
    shown = view.counts
    if brief:
        # What stopped it first, then the outcome counts that are not zero.
        lines += [f"  stopped: {note}" for name, _, note in shown if name == "stopped early"]
        shown = tuple(row for row in shown if row[0] in _OUTCOME_ROWS and row[1] != "0")
    lines.extend(f"  {label:<14}{value:>12}  {note}".rstrip() for label, value, note in shown)
    if brief:
        if view.errnos:
            lines.append("  next steps")
            lines.extend(f"    {e.label:<10}{e.count:>14,}  {e.step}" for e in view.errnos)
        return "\n".join(fit(line, width) for line in lines)
    lines += _warning_lines(view)
    lines += _errno_lines(view, width)
    lines += _first_lines(view)
    return "\n".join(fit(line, width) for line in lines)


_INDENT: Final = " " * 30


def _warning_lines(view: Digest) -> list[str]:
    lines = []
    if view.warnings:
        lines.append(f"  {'done with a warning':<21}{'items':>5}  meaning")
        for line in view.warnings:
            lines.append(f"    {line.label:<10}{line.count:>14,}  {line.meaning}")
            if line.message and line.message != line.meaning:
                lines.append(f"{_INDENT}server said: {line.message}")
    return lines


def _errno_lines(view: Digest, width: int) -> list[str]:
    if not view.errnos:
        return []
    lines = [f"  {'not done, by errno':<21}{'items':>5}  meaning"]
    for line in view.errnos:
        lines.append(f"    {line.label:<10}{line.count:>14,}  {line.meaning}")
        if line.message and line.message != line.meaning:
            said = "server said" if line.errno > 0 else "detail"
            lines.append(f"{_INDENT}{said}: {line.message}")
        if line.unknown:
            lines.append(f"{_INDENT}{line.unknown:,} of them unknown: may be applied")
        if line.examples:
            lines.append(f"{_INDENT}e.g. {_keys(line.examples, width - len(_INDENT) - 5)}")
        lines.append(f"{_INDENT}next: {line.step}")
    if view.more_errnos:
        lines.append(f"    {'others':<10}{view.more_errnos:>14,}  other errnos")
    return lines


def _first_lines(view: Digest) -> list[str]:
    if not view.first:
        return []
    keys = min(max(width_of(view.key_label), *(width_of(i.key) for i in view.first)), _KEY)
    key_label = fit(view.key_label, keys)
    pad = " " * (keys - width_of(key_label))
    lines = ["  first not done", f"    {key_label}{pad}  {'outcome':<9} {'errno':>9}  message"]
    for item in view.first:
        key = fit(item.key, keys)
        pad = " " * (keys - width_of(key))
        lines.append(f"    {key}{pad}  {item.outcome:<9} {label(item.errno):>9}  {item.error}")
    return lines


def _keys(keys: tuple[str, ...], room: int) -> str:
    """As many whole keys as fit in ``room`` columns, and an ellipsis if some do not."""
    shown = ""
    for index, key in enumerate(keys):
        more = f"{shown}, {key}" if shown else key
        # Room for ", …" after it, unless it is the last key.
        if width_of(more) > (room if index == len(keys) - 1 else room - 3):
            return f"{shown}, {_ELLIPSIS}" if shown else fit(key, room)
        shown = more
    return shown


def clean(text: str, limit: int = 4 * WIDTH) -> str:
    """``text`` on one line: control, format and separator characters become spaces.

    Runs of spaces collapse to one; at most ``limit`` characters are looked at (the rest
    is marked by an ellipsis), so a huge server message costs nothing.
    """
    out: list[str] = []
    space = False
    for count, char in enumerate(text):
        if count >= limit:
            out.append(_ELLIPSIS)
            break
        if char == " " or unicodedata.category(char)[0] in "CZ":
            if not space and out:
                out.append(" ")
            space = True
            continue
        space = False
        out.append(char)
    return "".join(out).rstrip()


def width_of(text: str) -> int:
    """Terminal columns ``text`` takes: wide East Asian characters 2, combining marks 0."""
    return sum(_char_width(char) for char in text)


def fit(text: str, width: int) -> str:
    """``text`` (one line already) cut with an ellipsis to ``width`` terminal columns."""
    if len(text) <= width // 2 or width_of(text) <= width:
        return text
    kept: list[str] = []
    used = 0
    for char in text:
        size = _char_width(char)
        if used + size > width - 1:
            break
        kept.append(char)
        used += size
    return "".join(kept).rstrip() + _ELLIPSIS


def _char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1
