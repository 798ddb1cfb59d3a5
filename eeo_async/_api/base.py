"""What every API area shares: the guard tying a typed method to its row, and namespaces.

A typed method is a few lines over ``request(ROW, ...)``; :func:`action` ties it to its
row and refuses, when the module is imported, a method whose parameters differ from the
row's, so a row and its method cannot drift apart.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar, cast

import attrs

from .._client import BaseClient
from .._http import SealedText
from .._models import ActionResult
from .._wire.endpoint import REQUIRED, Endpoint
from .._wire.kinds import ItemsKind

_Method = TypeVar("_Method", bound=Callable[..., Awaitable[Any]])
_Result = TypeVar("_Result", bound=ActionResult)
#: The attribute a typed method carries its row in.
ROW_ATTRIBUTE: Final = "__eeo_endpoint__"


def action(row: Endpoint) -> Callable[[_Method], _Method]:
    """Tie a typed method to ``row``: its parameters must be the row's.

    Every parameter of the method (``self`` aside) must be a parameter of the row; a
    row parameter the method leaves out must have a default (a fixed value such as
    ``identity=1``); a parameter the row makes optional must be optional in the method.

    Raises:
        TypeError: at import, when the method and the row differ.
    """

    def tie(method: _Method) -> _Method:
        given = dict(inspect.signature(method).parameters)
        given.pop("self", None)
        params = {param.name: param for param in row.params}
        problems = [f"{name} is not a parameter of the row" for name in given if name not in params]
        for name, param in params.items():
            if name not in given:
                if param.default is REQUIRED:
                    problems.append(f"the row's required {name} is missing")
            elif param.default is not REQUIRED and given[name].default is inspect.Parameter.empty:
                problems.append(f"{name} is optional in the row but required here")
        if problems:
            message = f"{method.__qualname__} does not match the row of {row.action}: " + "; ".join(
                problems
            )
            raise TypeError(message)
        tied = _sealing(method, row)
        setattr(tied, ROW_ATTRIBUTE, row)
        return tied

    return tie


def _sealing(method: _Method, row: Endpoint) -> _Method:
    """``method``, its secret arguments (passwords) sealed on the way in.

    A password's text is wrapped in a ``str`` whose ``repr`` hides it before anything
    checks it, so that no frame under the call (nor its error's) shows it in a
    traceback with locals.
    """
    hidden = [
        param.name
        for param in row.params
        if not isinstance(param.kind, ItemsKind) and param.kind.hidden
    ]
    if not hidden:
        return method
    signature = inspect.signature(method)

    @functools.wraps(method)
    async def sealed(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        del args, kwargs
        arguments = bound.arguments
        for name in hidden:
            value = arguments.get(name)
            if isinstance(value, str) and not isinstance(value, SealedText):
                arguments[name] = SealedText(value)
        del value
        return await method(*bound.args, **bound.kwargs)

    return cast(_Method, sealed)


def row_of(method: object) -> Endpoint | None:
    """The row a typed method is tied to, if any."""
    row = getattr(method, ROW_ATTRIBUTE, None)
    return row if isinstance(row, Endpoint) else None


def done_as(cls: type[_Result], done: ActionResult, **fields: Any) -> _Result:
    """``done`` (from ``decode_done``) as its subclass ``cls``, with ``fields`` besides."""
    return cls(**attrs.asdict(done, recurse=False), **fields)


class Namespace:
    """A group of typed methods reached through the client (``client.lms``).

    Made afresh on each access, so it always uses the client it was reached from (a
    ``with_options`` copy too).
    """

    __slots__ = ("_client",)

    def __init__(self, client: BaseClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"

    async def request(self, endpoint: Endpoint, /, **values: object) -> Any:
        """Send ``endpoint`` through the client (see ``Client.request``)."""
        return await self._client.request(endpoint, **values)
