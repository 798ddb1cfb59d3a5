"""An action of the API as data: one :class:`Endpoint` row, read by the Client and the Batcher.

A row says everything about one action: its generation and path, its parameters with
their wire names and kinds, which parameter carries the items and how many one call may
hold, the fixed target of a batch, whether re-sending is safe, its "already" and "side"
codes, its documented rate, what bulk work needs (the report's key) and its decoder.
The rows live beside their typed methods in the API areas (``_api``); nothing else
repeats their facts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, Literal

import attrs

from .._codes import ALREADY_ANY, DOCUMENTED, SIDE_ANY, TRANSIENT_ITEM
from .._constants import V1_COURSE_PATH
from .._errors import InputError, InputTypeError, TooManyItemsError
from .kinds import ItemsKind, Kind, iter_items, key_itself


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: The default of a parameter that must be given.
REQUIRED: Final = _Required()
#: What to do when a creation sent without its unique identity may have been applied.
NO_IDENTITY_HINT: Final = "it was sent without a unique identity: check before creating it again"


@attrs.frozen
class Param:
    """One parameter of an action: Python name, wire name, kind, and default if optional.

    A default of ``None`` makes the parameter optional: it is left out of the request
    when not given (or given as ``None``).
    """

    name: str
    wire: str
    kind: Kind | ItemsKind
    default: object = REQUIRED


@attrs.frozen(kw_only=True)
class Bulk:
    """What a bulk job of a row needs beyond the row: the report's key and names.

    Attributes:
        key: the report's key field of one item, e.g. ``"student_uid"``.
        verb: the Batcher verb, recorded as the report's operation (the action's name
            when ``None``).
        answer: the name of the ID each item's answer carries, kept in the report
            (``"uid"`` for registrations, ``"class_id"`` for new lessons ...), or ``None``.
    """

    key: str
    verb: str | None = None
    answer: str | None = None


@attrs.frozen(kw_only=True)
class Answer:
    """A decoded envelope of either generation: the code, the message, the data.

    Attributes:
        code: v1 ``error_info.errno`` or v2 ``code`` (1 = success).
        message: the server's message (``error_info.error`` or ``msg``).
        data: ``data`` as parsed JSON, ``None`` when absent.
        doc: the whole answer document (for fields beside ``data``).
    """

    code: int
    message: str
    data: Any = None
    doc: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


Decoder = Callable[["Endpoint", Answer, Sequence[Any]], Any]
Check = Callable[[Mapping[str, Any], int], None]


@attrs.frozen(kw_only=True)
class Endpoint:
    """One action of the API as data; the Client, the Batcher and the docs read it.

    Attributes:
        action: the docs' action name, e.g. ``"addCourseClassStudent"``.
        params: the parameters in wire order.
        decode: ``decode(endpoint, answer, items)`` gives the result or raises; ``items``
            are the items sent (empty for an action without items).
        generation: 1 (form fields signed with ``safeKey``) or 2 (JSON signed in headers).
        path: v1: the file the action is posted to (``course.api.php`` or
            ``cloud.api.php``); v2: the path, e.g. ``/lms/unit/create``.
        items: the name of the parameter carrying the items, or ``None``.
        max_items: the most items one call may carry (the docs' limit or advice).
        target: the parameter a batch holds fixed besides the course, or ``None``.
        idempotent: re-sending after an attempt that may have applied is safe (adding
            and removing answer "already" the second time; creation with a unique
            identity answers the earlier ID); otherwise only where the server cannot
            have acted.
        identity: for a creation safe to repeat only with a unique identity: the
            parameter that carries it, or, for a row whose items carry one each, the
            items' attribute. A call without it (an item without it) is sent as not
            safe to repeat (:meth:`as_sent`).
        check_hint: what an error says to do when a call not safe to repeat may have
            been applied (it was not sent again).
        one_at_a_time: identical calls of a row safe to repeat share one request in
            flight and its answer, unless this is true: then each is sent, one after
            the other (registration: the server answers 131 to identical requests at
            the same time, and each caller wants its own answer).
        already: codes meaning "already in the target state" (counted as done).
        side: codes meaning "done, with a side failure": done, with a warning.
        item_transient: item codes after which that item alone is sent again.
        per_minute: the documented most calls a minute (held by default per Client).
        bulk: what a bulk job of this row needs, or ``None`` if it has none.
        check: ``check(values, items)`` refuses input the server would refuse, before
            anything is sent (the fixed values by name, and the number of items).
    """

    action: str
    params: tuple[Param, ...]
    decode: Decoder
    generation: Literal[1, 2] = 1
    path: str = V1_COURSE_PATH
    items: str | None = None
    max_items: int = 1
    target: str | None = None
    idempotent: bool = False
    identity: str | None = None
    check_hint: str = "check before calling again"
    one_at_a_time: bool = False
    already: frozenset[int] = frozenset()
    side: frozenset[int] = frozenset()
    item_transient: frozenset[int] = TRANSIENT_ITEM
    per_minute: int | None = None
    bulk: Bulk | None = None
    check: Check | None = None
    params_class: type = attrs.field(init=False, eq=False, repr=False)
    #: Per-row caches of the codecs (a form's layout, a converter ...).
    cache: dict[str, Any] = attrs.field(init=False, factory=dict, eq=False, repr=False)

    @params_class.default
    def _params_class(self) -> type:
        # A documented code must be of the family the row puts it in (a typo shows);
        # a code the table lacks is a new action's own.
        for codes, family, word in (
            (self.already, ALREADY_ANY, "already"),
            (self.side, SIDE_ANY, "side"),
        ):
            wrong = {code for code in codes if code in DOCUMENTED and code not in family}
            if wrong:
                message = f"{self.action}: the codes {sorted(wrong)} are not {word!r} codes"
                raise ValueError(message)
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            message = f"{self.action}: a parameter name is used twice: {names}"
            raise ValueError(message)
        for name in (self.items, self.target):
            if name is not None and name not in names:
                message = f"{self.action}: {name!r} is not a parameter"
                raise ValueError(message)
        if self.identity is not None and (
            not self.idempotent or (self.items is None and self.identity not in names)
        ):
            message = (
                f"{self.action}: identity {self.identity!r} needs an idempotent row's parameter"
            )
            raise ValueError(message)
        if self.generation == 1 and self.path.startswith("/") and not self.path.endswith(".php"):
            message = f"{self.action}: a v1 row's path is its .php file, got {self.path!r}"
            raise ValueError(message)
        return attrs.make_class(
            f"{self.action}Params",
            {
                p.name: attrs.field() if p.default is REQUIRED else attrs.field(default=p.default)
                for p in self.params
            },
            frozen=True,
            kw_only=True,
        )

    @property
    def items_param(self) -> Param | None:
        """The row's items parameter, if it has one."""
        return next((p for p in self.params if p.name == self.items), None)

    @property
    def items_kind(self) -> ItemsKind:
        """The kind of the row's items parameter (``TypeError`` for a row without items)."""
        param = self.items_param
        if param is None or not isinstance(param.kind, ItemsKind):
            message = f"{self.action} has no items parameter"
            raise TypeError(message)
        return param.kind

    def build(self, values: Mapping[str, object]) -> Any:
        """Check every value by its kind and return the row's params instance.

        Raises:
            InputTypeError: an unknown parameter.
            InputError: a missing or bad value (named), before anything is sent.
        """
        unknown = set(values) - {p.name for p in self.params}
        if unknown:
            message = f"{self.action} has no parameter {', '.join(sorted(unknown))}"
            raise InputTypeError(message)
        checked: dict[str, Any] = {}
        for param in self.params:
            value = values.get(param.name)
            if value is None:
                if param.default is REQUIRED:
                    message = f"{self.action} needs {param.name}"
                    raise InputError(message)
                continue
            if isinstance(param.kind, ItemsKind):
                checked[param.name] = self.check_call_items(value, param.name)
            else:
                checked[param.name] = param.kind.check(value, param.name)
        if self.check is not None:
            count = len(checked[self.items]) if self.items is not None else 0
            self.check(checked, count)
        return self.params_class(**checked)

    def check_call_items(self, values: object, where: str) -> tuple[Any, ...]:
        """Check the items of one call: non-empty, none twice, within the row's limit."""
        kind = self.items_kind
        items = tuple(iter_items(values, where, kind.item))  # type: ignore[arg-type]
        if not items:
            message = f"{where} is empty: give at least one"
            raise InputError(message)
        if len(items) > self.max_items:
            message = (
                f"{where} has {len(items)} items but {self.action} accepts at most "
                f"{self.max_items} per call; use eeo_async.Batcher to send any number"
            )
            raise TooManyItemsError(message)
        keys = items if kind.key is key_itself else [kind.key(item) for item in items]
        if len(set(keys)) != len(keys):
            twice = next(k for k, n in Counter(keys).items() if n > 1)
            message = f"{where} contains {twice} more than once"
            raise InputError(message)
        return items

    def items_of(self, params: Any) -> Sequence[Any]:
        """The items ``params`` carries (empty for an action without items)."""
        return getattr(params, self.items) if self.items is not None else ()

    def as_sent(self, params: Any) -> Endpoint:
        """This row as a call with ``params`` (the row's params instance) is sent.

        The row itself, unless its safety rests on a unique identity (``identity``) that
        the call lacks: then the row not safe to repeat.
        """
        if self.identity is None:
            return self
        return self.carried_by(self.items_of(params) if self.items is not None else (params,))

    def carried_by(self, carriers: Iterable[object]) -> Endpoint:
        """This row for a call whose identities ``carriers`` hold (the params, or the items).

        The row itself when each carries its unique identity (a string), else the row
        not safe to repeat: never re-sent after an attempt that may have applied, its
        error saying to check first.
        """
        name = self.identity
        if name is None or all(isinstance(getattr(c, name, None), str) for c in carriers):
            return self
        found = self.cache.get("without identity")
        if found is None:
            found = attrs.evolve(self, idempotent=False, identity=None, check_hint=NO_IDENTITY_HINT)
            # The same parameters: a params instance built by this row is sent by that one.
            object.__setattr__(found, "params_class", self.params_class)
            self.cache["without identity"] = found
        assert isinstance(found, Endpoint)  # noqa: S101 - only this method fills the entry
        return found
