"""What a traceback shows of the SDK's frames: the check that no secret sits in a local."""

from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType


def frames(exc: BaseException) -> Iterator[TracebackType]:
    """Every traceback entry of ``exc`` and of the exceptions it was raised from or during."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        tb = current.__traceback__
        while tb is not None:
            yield tb
            tb = tb.tb_next
        todo.extend([current.__cause__, current.__context__])


def _shown(value: object) -> str:
    try:
        return repr(value)
    except Exception:  # as those tools do: an object half made by a raising __init__
        return f"<{type(value).__name__} object (repr failed)>"


def shown_locals(exc: BaseException) -> str:
    """What a traceback with locals shows of the SDK's frames (--showlocals, Sentry, loguru)."""
    return "\n".join(
        f"{name}={_shown(value)}"
        for tb in frames(exc)
        if "eeo_async" in tb.tb_frame.f_code.co_filename
        for name, value in tb.tb_frame.f_locals.items()
    )
