"""The public surface: what ``import eeo_async`` offers."""

from __future__ import annotations

import inspect

import eeo_async as eeo


def test_all_is_sorted_and_complete() -> None:
    """__all__ is sorted and lists every public name the package defines."""
    assert eeo.__all__ == sorted(eeo.__all__)
    public = {
        name
        for name, value in vars(eeo).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public == set(eeo.__all__) - {"__version__"}


def test_public_names_have_docstrings() -> None:
    """Every exported class and function documents itself, methods included."""
    for name in eeo.__all__:
        value = getattr(eeo, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), name
        if inspect.isclass(value):
            for attr, member in vars(value).items():
                if not attr.startswith("_") and (
                    inspect.isfunction(member) or isinstance(member, property)
                ):
                    assert inspect.getdoc(member), f"{name}.{attr}"
