"""The public surface of eeo_async.webhooks: complete, documented, and a wing of its own."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import eeo_async.testing
from eeo_async import webhooks

PACKAGE = Path(webhooks.__file__).resolve().parent
#: The only SDK modules the webhooks wing may import (its __init__ says so).
CORE = {"_codes", "_constants", "_errors", "_models"}


def test_all_is_sorted_and_complete() -> None:
    """__all__ is sorted (constants, classes, functions) and names every public object."""
    kind = {True: 0, False: 1}
    assert webhooks.__all__ == sorted(
        webhooks.__all__, key=lambda n: (kind[n.isupper()] + n[0].islower(), n)
    )
    public = {
        n for n, v in vars(webhooks).items() if not n.startswith("_") and not inspect.ismodule(v)
    }
    assert public == set(webhooks.__all__)
    for name in ("Pusher", "samples", "lesson_end_message"):
        assert name in eeo_async.testing.__all__


def test_public_names_have_docstrings() -> None:
    """Every exported class and function documents itself, its public methods and properties too."""
    for name in webhooks.__all__:
        value = getattr(webhooks, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), name
        if inspect.isclass(value):
            for attr, member in vars(value).items():
                if not attr.startswith("_") and (
                    inspect.isfunction(member) or isinstance(member, property)
                ):
                    assert inspect.getdoc(member), f"{name}.{attr}"


def test_the_wing_imports_only_the_core_modules() -> None:
    """No webhooks module imports another wing (client, wire, batch, cli, testing)."""
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 2:
                assert node.module is not None
                assert node.module.split(".")[0] in CORE, f"{path.name}: from ..{node.module}"
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                assert not node.module.startswith("eeo_async"), f"{path.name}: {node.module}"
