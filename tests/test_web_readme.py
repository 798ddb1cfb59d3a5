"""The README's Python snippets are the ones ``make types`` checks with mypy --strict."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

ROOT = Path(__file__).parent.parent
TYPED = ROOT / "tests" / "typed"


def snippets() -> list[str]:
    """Every ```python block of the README, dedented."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [textwrap.dedent(block) for block in re.findall(r"```python\n(.*?)```", text, re.S)]


def holds(lines: list[str], block: list[str]) -> bool:
    """True if ``block`` is in ``lines`` as it is, under any one extra indent."""
    for start, line in enumerate(lines):
        if not line.strip() or line.lstrip() != block[0]:
            continue
        indent = line[: len(line) - len(block[0])]
        window = lines[start : start + len(block)]
        if len(window) == len(block) and all(
            typed == indent + wanted if wanted else not typed.strip()
            for typed, wanted in zip(window, block, strict=True)
        ):
            return True
    return False


def test_every_readme_snippet_is_type_checked_verbatim() -> None:
    """Each README snippet stands as written in a tests/typed file (checked by mypy --strict)."""
    files = {
        path.name: path.read_text(encoding="utf-8").splitlines() for path in TYPED.glob("*.py")
    }
    found = snippets()
    assert len(found) >= 6
    for snippet in found:
        block = snippet.strip("\n").splitlines()
        where = [name for name, lines in files.items() if holds(lines, block)]
        assert where, f"README snippet not in tests/typed/ as written:\n{snippet}"


def test_the_onboarding_snippet_passes_uids_that_are_ints() -> None:
    """The onboarding snippet keeps only the UIDs the server gave (item.uid is int | None)."""
    onboarding = next(s for s in snippets() if "batcher.register(users)" in s)
    assert "if item.uid is not None" in onboarding
    assert ", ...]" not in onboarding  # an Ellipsis in the list would not type-check
