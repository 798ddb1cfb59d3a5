"""The rows against the docs' own list of actions, and the generated docs against the rows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from eeo_async._api.base import row_of
from eeo_async._api.documented import DOCUMENTED
from eeo_async._api.registry import NOT_SUPPORTED, ROWS

ROOT = Path(__file__).resolve().parent.parent
BY_NAME = {doc.action: doc for doc in DOCUMENTED}


def test_every_row_is_a_documented_action_at_its_documented_path() -> None:
    """A row's action, generation and path are the docs' (a typo or a wrong file shows)."""
    for action, row in ROWS.items():
        doc = BY_NAME.get(action)
        assert doc is not None, f"{action} is not a documented action"
        assert (row.generation, row.path) == (doc.generation, doc.path), action
        assert doc.status != "deleted", f"{action} was deleted from the API"


def test_actions_without_a_row_say_why() -> None:
    """What is listed as not supported is a documented action, without a row."""
    for action, why in NOT_SUPPORTED.items():
        assert action in BY_NAME
        assert action not in ROWS
        assert why.strip()
    assert all(doc.action in NOT_SUPPORTED for doc in DOCUMENTED if doc.status == "deleted")


def test_every_typed_method_sends_a_registered_row() -> None:
    """Every method tied to a row sends a row the registry knows (the docs list them all)."""
    import inspect

    import eeo_async as eeo
    from eeo_async._api.double_teacher import DoubleTeacher
    from eeo_async._api.lms import Lms

    for owner in (eeo.Client, Lms, DoubleTeacher):
        for name, member in inspect.getmembers(owner, inspect.isfunction):
            row = row_of(member)
            if row is not None:
                assert ROWS.get(row.action) is row, f"{owner.__name__}.{name}"


def test_the_generated_table_and_reference_are_fresh() -> None:
    """README's table of actions and docs/api.md are what the rows give today."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "api_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_documented_action_has_a_row_or_a_reason() -> None:
    """All 70 live (and frozen) actions of the docs have a row; the deleted one says why."""
    missing = [
        doc.action
        for doc in DOCUMENTED
        if doc.action not in ROWS and doc.action not in NOT_SUPPORTED
    ]
    assert not missing
    assert sum(1 for doc in DOCUMENTED if doc.status != "deleted") == 70
    assert sum(1 for row in ROWS.values() if row.generation == 2) == 17


def test_every_row_has_a_typed_method() -> None:
    """Each row is reached through a typed method named after its action (snake_case)."""
    import inspect
    import re

    import eeo_async as eeo
    from eeo_async._api.double_teacher import DoubleTeacher
    from eeo_async._api.lms import Lms

    named: dict[str, str] = {}
    for owner in (eeo.Client, Lms, DoubleTeacher):
        for name, member in inspect.getmembers(owner, inspect.isfunction):
            row = row_of(member)
            if row is not None:
                named[row.action] = name
    assert set(named) == set(ROWS)
    for action, name in named.items():
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", action).lower()
        assert name == snake, (action, name)
