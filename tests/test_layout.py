"""The package's layout holds: wings that say what they hold, no circles, no reaching in.

A wing is a sub-package of ``eeo_async`` (``_wire``, ``_api``, ``_batch``, ``_cli``,
``testing``, ``webhooks``); the core is the package's own modules. Each wing's
``__init__`` says in its docstring what it holds and what it may import.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "eeo_async"
#: The core's own base: values and tables that import nothing else of the package.
BASE = {"_codes", "_constants", "_errors", "_json", "_models", "_http"}
#: What each wing may import, besides the core modules (the core's engine, the client,
#: may import the sans-I/O wire layer; the base imports no wing).
ALLOWED = {
    "": {"_wire"},
    "_wire": set(),
    "_api": {"_wire"},
    "_batch": {"_wire", "_api"},
    "_cli": {"_wire", "_api", "_batch", "testing", "webhooks"},
    "testing": set(),
    "webhooks": set(),
}
#: The most lines a module may have (a data table of codes is one thing, however long).
MAX_LINES = 500
LONG_TABLES = {"_codes.py"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(part for part in parts if part != "__init__")
        found[name] = path
    return found


def _wing(module: str) -> str:
    head = module.split(".", maxsplit=1)[0]
    return head if head in ALLOWED and head else ""


def _imports(module: str, path: Path) -> list[tuple[str, list[str]]]:
    """(imported module, names) of every import in ``module``, TYPE_CHECKING ones too."""
    tree = ast.parse(path.read_text())
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = ".".join([*base, *([node.module] if node.module else [])])
            elif node.module and node.module.startswith("eeo_async."):
                target = node.module.removeprefix("eeo_async.")
            else:
                continue
            names = [alias.name for alias in node.names]
            if node.module is None:  # from . import a, b
                found.extend((f"{target}.{name}".strip("."), []) for name in names)
            else:
                found.append((target, names))
    return found


def test_wings_import_only_what_they_may() -> None:
    """A wing imports the core and the wings its __init__ allows; the core imports no wing."""
    modules = _modules()
    problems = []
    for module, path in modules.items():
        wing = _wing(module)
        for target, _ in _imports(module, path):
            other = _wing(target)
            if module in BASE and target not in BASE:
                problems.append(f"the base module {module} imports {target}")
            elif wing == "_wire" and not other and target not in BASE:
                problems.append(f"{module} imports {target}: the wire layer uses the base only")
            elif other and other != wing and other not in ALLOWED[wing]:
                problems.append(f"{module} imports {target}")
    assert not problems


def test_no_module_uses_another_wings_private_names() -> None:
    """``from x import _name`` never crosses from one wing (or the core) into another."""
    modules = _modules()
    problems = []
    for module, path in modules.items():
        for target, names in _imports(module, path):
            if _wing(target) == _wing(module):
                continue
            private = [n for n in names if n.startswith("_") and n != "__version__"]
            if private:
                problems.append(f"{module} imports {private} from {target}")
    assert not problems


def test_no_import_circles() -> None:
    """No module imports itself back through others, TYPE_CHECKING imports included."""
    modules = _modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in modules.items():
        for target, names in _imports(module, path):
            for candidate in (target, *(f"{target}.{n}" for n in names)):
                if candidate in modules and candidate != module:
                    graph[module].add(candidate)
    # A package's __init__ re-exporting its own modules is not a circle of code.
    for module in list(graph):
        graph[module] = {t for t in graph[module] if not module.startswith(t + ".") and t != ""}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for node in sorted(modules):
        if node not in state:
            visit(node, [node])
    assert not cycles


def test_modules_are_small_and_wings_say_what_they_hold() -> None:
    """No module passes about 500 lines; every wing's __init__ has a docstring."""
    long = [
        f"{path.relative_to(PACKAGE)}: {len(path.read_text().splitlines())}"
        for path in PACKAGE.rglob("*.py")
        if path.name not in LONG_TABLES and len(path.read_text().splitlines()) > MAX_LINES
    ]
    assert not long
    for wing in filter(None, ALLOWED):
        init = PACKAGE / wing / "__init__.py"
        if init.exists():
            assert ast.get_docstring(ast.parse(init.read_text())), wing
