"""What an area of the sandbox is made of: routes (an action or path and its handler) and texts.

An area module (``_groups.py`` is a short example) defines its handlers and one
``AREA = Area(name, routes=(v1(...), v2(...)), texts=Texts(...))``; ``_areas.py`` lists
the areas. A handler is ``handler(school, fields, rng) -> dict``: ``fields`` is the v1
form by the docs' wire names (text values, signing fields removed, files as
:class:`~eeo_async.testing.Upload`) or the v2 JSON object; it returns the answer
document (``school.envelope(...)`` / ``school.envelope_v2(...)``) or raises ``Answer``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import attrs

from ._messages import COMMON, Texts
from ._school import School
from ._wire import COURSE_API, V1_PATHS

#: A route's handler: the school, the request's fields, the request's fault draws.
Handler = Callable[[School, dict[str, Any], random.Random], dict[str, Any]]


@attrs.frozen(kw_only=True)
class Route:
    """One served action: where it is posted, its handler, and how the area words codes.

    Attributes:
        path: the HTTP path: a v1 file (``course.api.php``, ``cloud.api.php``) or a v2 path.
        action: the v1 ``action`` (empty for v2).
        handler: computes the answer and applies the change.
        texts: the messages of the route's area.
        identical_code: the code answered to a request identical to one in flight, where
            the page documents one (131 for the registration family); ``None`` serves it.
    """

    path: str
    action: str = ""
    handler: Handler = attrs.field(repr=False)
    texts: Texts = attrs.field(default=COMMON, repr=False)
    identical_code: int | None = None

    @property
    def generation(self) -> str:
        """``"v1"`` (a form posted to an action) or ``"v2"`` (JSON posted to a path)."""
        return "v1" if self.action else "v2"

    @property
    def name(self) -> str:
        """The action (v1) or the path (v2): how stats count the route's requests."""
        return self.action or self.path

    @property
    def key(self) -> tuple[str, str]:
        """Where the route is found: (path, action)."""
        return (self.path, self.action)


def v1(
    action: str, handler: Handler, *, path: str = COURSE_API, identical_code: int | None = None
) -> Route:
    """A v1 route: ``action`` posted as a form to ``path`` (``course.api.php`` by default)."""
    if path not in V1_PATHS:
        text = f"a v1 action is served at one of {V1_PATHS}, not {path!r}"
        raise ValueError(text)
    return Route(path=path, action=action, handler=handler, identical_code=identical_code)


def v2(path: str, handler: Handler) -> Route:
    """A v2 route: JSON posted to ``path`` (``/lms/unit/create`` ...)."""
    if not path.startswith("/") or path in V1_PATHS:
        text = f"a v2 path starts with '/' and is not a v1 file, got {path!r}"
        raise ValueError(text)
    return Route(path=path, handler=handler)


@attrs.frozen
class Area:
    """An area of the API as the sandbox serves it: its routes and its own messages.

    An area's own state (if any) is a class of its module, no-argument constructible,
    reached from a handler with ``school.state(ThatClass)``.
    """

    name: str
    routes: tuple[Route, ...]
    texts: Texts = COMMON

    def served(self) -> tuple[Route, ...]:
        """The routes, each carrying this area's texts."""
        return tuple(attrs.evolve(route, texts=self.texts) for route in self.routes)
