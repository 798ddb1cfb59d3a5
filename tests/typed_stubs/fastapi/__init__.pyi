# The few FastAPI names the README's web snippet uses, as FastAPI types them: FastAPI is
# no dependency of eeo_async, and the typed check is about the SDK's side of the snippet.
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])

class HTTPException(Exception):  # noqa: N818 - FastAPI's name
    def __init__(self, status_code: int, detail: Any = None) -> None: ...

class _State:
    def __getattr__(self, name: str) -> Any: ...
    def __setattr__(self, name: str, value: Any) -> None: ...

class FastAPI:
    state: _State
    def __init__(
        self, *, lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None
    ) -> None: ...
    def post(self, path: str) -> Callable[[_F], _F]: ...
    def add_route(
        self, path: str, route: Callable[..., Any], methods: list[str] | None = None
    ) -> None: ...
