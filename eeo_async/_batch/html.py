"""A report's digest (``view``) as HTML, for notebooks (``BatchReport._repr_html_``).

A headline of the outcome counts, failures first and marked so they are seen at a glance;
then the same tables as the text: counts, warnings, the errnos that left items not done
(with the next step) and the first items not done. Text cells are left-aligned and
numbers right-aligned by each cell's own style, since notebooks right-align every cell
by default. Everything is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Final

from .._codes import describe, label
from .view import Digest, Viewed, digest, fit

#: The longest server message the HTML shows (in terminal columns), cut with an ellipsis.
HTML_TEXT: Final = 160
_LEFT: Final = ' style="text-align:left"'
_RIGHT: Final = ' style="text-align:right"'
#: How a count of items not done is drawn when it is not zero.
_ALERT: Final = "color:#b00020;font-weight:bold"
_FAILURES: Final = frozenset({"failed", "unknown", "not sent"})


def to_html(report: Viewed) -> str:
    """The digest as escaped HTML: a headline, then the tables of the text summary."""
    view = digest(report)
    parts = ['<div class="eeo-report">', _headline(view)]
    parts.append(
        _table(
            view.title,
            None,
            ((name, value, note) for name, value, note in view.counts),
            numbers={1},
            alert={i for i, row in enumerate(view.counts) if row[0] in _FAILURES},
        )
    )
    if view.warnings:
        parts.append(
            _table(
                "Done with a warning, by errno",
                ("errno", "items", "meaning", "server's message"),
                (
                    (w.label, f"{w.count:,}", w.meaning, fit(w.message, HTML_TEXT))
                    for w in view.warnings
                ),
                numbers={0, 1},
            )
        )
    if view.errnos:
        parts.append(
            _table(
                "Not done, by errno",
                (
                    "errno",
                    "items",
                    "of them unknown",
                    "meaning",
                    "server's message",
                    "example keys",
                    "next step",
                ),
                (
                    (
                        line.label,
                        f"{line.count:,}",
                        f"{line.unknown:,}",
                        line.meaning,
                        fit(line.message, HTML_TEXT),
                        ", ".join(line.examples),
                        line.step,
                    )
                    for line in view.errnos
                ),
                numbers={0, 1, 2},
            )
        )
        if view.more_errnos:
            parts.append(f"<p>{view.more_errnos:,} more items not done with other errnos</p>")
    if view.first:
        parts.append(
            _table(
                f"First {len(view.first)} items not done",
                (view.key_label, "outcome", "errno", "meaning", "server's message"),
                (
                    (
                        item.key,
                        item.outcome,
                        label(item.errno),
                        describe(item.errno),
                        fit(item.error, HTML_TEXT),
                    )
                    for item in view.first
                ),
                numbers={2},
            )
        )
    parts.append("</div>")
    return "".join(parts)


def _headline(view: Digest) -> str:
    """``2,700 succeeded · 270 not sent · 30 failed``, failures first and marked."""
    shown = []
    for name, count in view.headline:
        words = html.escape(f"{count:,} {name}")
        style = _ALERT if name in _FAILURES else "font-weight:bold"
        shown.append(f'<span style="{style}">{words}</span>')
    return f'<p style="font-size:larger">{" &middot; ".join(shown)}</p>'


def _table(
    caption: str,
    head: tuple[str, ...] | None,
    rows: Iterable[tuple[str, ...]],
    *,
    numbers: set[int],
    alert: set[int] | None = None,
) -> str:
    """A table; the cells at ``numbers`` right-aligned, rows at ``alert`` marked if not 0."""
    escape = html.escape
    out = [f'<table><caption style="text-align:left">{escape(caption)}</caption>']
    if head is not None:
        out.append(
            "<tr>"
            + "".join(
                f"<th{_RIGHT if i in numbers else _LEFT}>{escape(cell)}</th>"
                for i, cell in enumerate(head)
            )
            + "</tr>"
        )
    for index, row in enumerate(rows):
        marked = alert is not None and index in alert and row[1] not in ("0", "")
        cells = []
        for i, cell in enumerate(row):
            align = "text-align:right" if i in numbers else "text-align:left"
            style = f"{align};{_ALERT}" if marked and i == 1 else align
            tag = "th" if head is None and i == 0 else "td"
            cells.append(f'<{tag} style="{style}">{escape(cell)}</{tag}>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "".join(out)
