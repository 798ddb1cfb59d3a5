"""What ``--only-failed REPORT`` sends again: a saved report read back, and its keys chosen.

A re-run sends what it settles as it is (the report's ``rerun_keys``: unknown, not sent,
failures on a busy server); the items to fix (``fix_keys``) are left out with one line
naming their errnos and next steps, unless ``--with-fixed`` says they were fixed.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any

from .._batch.report import BatchReport, Key
from .._codes import next_step
from .._errors import InputError
from .base import EXIT_FAILED, EXIT_OK, _err, _Usage


def _load(path: Path, flag: str) -> BatchReport[Any]:
    """A report the command wrote, JSON or CSV (told apart by content, not by name)."""
    try:
        path.open("rb").close()
    except OSError as exc:
        message = f"cannot read {flag}{path}: {exc.strerror or exc}"
        raise _Usage(message) from None
    try:
        return BatchReport.load(path)
    except InputError as exc:
        message = f"{flag}{path}: {exc}"
        raise _Usage(message) from None


def with_fixed_option(sub: argparse.ArgumentParser) -> None:
    """``--with-fixed``, beside a command's ``--only-failed``."""
    sub.add_argument(
        "--with-fixed",
        action="store_true",
        help="with --only-failed: also the report's items to fix (once you have fixed "
        "what their errnos say: reopened a lesson, added students to the school ...)",
    )


def keys_to_resend(saved: BatchReport[Any], path: Path, *, with_fixed: bool) -> list[Key]:
    """The keys of ``saved`` to send again, in input order (``--only-failed``).

    Raises:
        _Usage: nothing to send (exit 0 when all is done, 1 when only fixes are left).
    """
    keys: list[Key] = saved.rerun_keys
    fix = saved.fix_keys
    if fix and with_fixed:
        keys = saved.failed_keys
    elif fix:
        counts = Counter(fix.values()).most_common()
        shown = "; ".join(f"{n} errno {errno}: {next_step(errno)}" for errno, n in counts[:3])
        _err(
            f"--only-failed: {len(fix)} items of {path} need a fix first and are left out "
            f"({shown}); fix them, then add --with-fixed"
        )
    if not keys and fix:
        message = f"--only-failed: {path} has nothing a re-run settles as it is; nothing sent"
        raise _Usage(message, EXIT_FAILED)
    if not keys:
        message = f"--only-failed: {path} has no failed or unknown items; nothing to do"
        raise _Usage(message, EXIT_OK)
    return keys
