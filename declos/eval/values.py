"""Runtime values of DCL and the thunk that makes evaluation lazy.

Representation, chosen for speed (type checks are `type(v) is X`):
- null, booleans, integers and floats are Python's None, bool, int, float
  (test `bool` before `int`: `true == 1` is false in DCL);
- a string without context is a Python `str`; a string that mentions store
  paths is a `CtxStr` (its text plus the set of store paths it refers to);
- a path is a `PathValue`; a list is a Python `list` that is never mutated
  after it is built; an attribute set is an `Attrs` (a dict with positions);
- functions are `Closure` (a compiled lambda plus its environment), `PrimOp`
  and `PrimOpApp` (a builtin and the arguments given so far);
- a not-yet-evaluated value is a `Thunk`, which memoizes and black-holes.

Values compare by `force.equals`, never Python's `==`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias, cast

from declos.diagnostics import Span
from declos.eval.errors import InfiniteRecursion

# A DCL value as the evaluator passes it around: one of the representations
# above (None, bool, int, float, str, CtxStr, PathValue, list, Attrs, Closure,
# PrimOp, PrimOpApp) or a Thunk not forced yet.  Typed as Any on purpose: the
# hot paths test `type(v) is X` and then use the representation, and a Union
# would make every such use need a cast; the alias says what a parameter holds.
Value: TypeAlias = Any


class CtxStr:
    """A string with context: the store paths (and derivations) it mentions."""

    __slots__ = ("s", "context")

    def __init__(self, s: str, context: frozenset):
        self.s = s
        self.context = context

    def __repr__(self) -> str:
        return f"CtxStr({self.s!r}, {sorted(self.context)!r})"


class PathValue:
    __slots__ = ("path",)

    def __init__(self, path: str):
        self.path = path

    def __repr__(self) -> str:
        return f"PathValue({self.path!r})"


class Attrs(dict):
    """An attribute set: name → value or thunk.  `pos` maps names to Spans."""

    __slots__ = ("pos",)

    def __init__(self, src: Any = (), pos: dict | None = None):
        # dict.update rather than super().__init__: a third cheaper, and
        # sets are made by the hundred thousand.
        if src:
            self.update(src)
        self.pos = pos

    def __repr__(self) -> str:
        return f"Attrs({dict.__repr__(self)})"


EMPTY_ATTRS = Attrs()


class LazyAttrs(dict):
    """An attribute set whose names are all known but whose values are made
    on first use: `pkgs`, with one attribute per package of the host's index
    (~64 000; making a thunk for each was a fifth of a small configuration's
    evaluation, issue 12).

    The dict holds what the set has so far: the attributes it was made with
    and the values made since; `pos` is the `Pending` record that makes the
    rest.  It is deliberately not an `Attrs` for `type(v) is Attrs`, so no
    fast path reads it as complete: selecting or testing one name takes the
    slow path (`lazy_get`, `lazy_has`), and every other reader of a set
    calls `settle`, which makes every value and turns the object into an
    `Attrs` in place (`__class__`; the layouts are the same), for everything
    that holds it.
    """

    __slots__ = ("pos",)
    pos: Pending

    def __repr__(self) -> str:
        return f"LazyAttrs({dict.__repr__(self)}, +{len(self.pos.names())})"


class Pending:
    """What a `LazyAttrs` still lacks: the names `load()` gives (read when
    first needed: a configuration that selects no package of them does not
    read them at all), whose values are `Thunk(fn, name)`, and the positions
    of the whole set.  The set's own attributes take precedence over the
    loaded names (as `//`)."""

    __slots__ = ("load", "loaded", "fn", "pos")

    def __init__(self, load: Callable[[], Any], fn: Any, pos: dict | None):
        self.load = load
        self.loaded: dict | None = None
        self.fn = fn
        self.pos = pos

    def names(self) -> dict:
        """The loaded names, as a dict used as an ordered set."""
        names = self.loaded
        if names is None:
            names = self.loaded = dict.fromkeys(self.load())
        return names


def lazy_get(v: LazyAttrs, name: str, default: Any = None) -> Any:
    """`v.name`'s value or thunk (made now if it was not yet), else `default`."""
    x = dict.get(v, name, _ABSENT)
    if x is not _ABSENT:
        return x
    p = v.pos
    if name in p.names():
        x = v[name] = Thunk(p.fn, name)
        return x
    return default


_ABSENT = object()


def lazy_has(v: LazyAttrs, name: str) -> bool:
    return name in v or name in v.pos.names()


def settle(v: Any) -> Any:
    """`v`, made a complete `Attrs` if it is a `LazyAttrs`; anything else as is."""
    if type(v) is not LazyAttrs:
        return v
    p = v.pos
    fn = p.fn
    made = {n: Thunk(fn, n) for n in p.names() if n not in v}
    dict.update(v, made)
    v.__class__ = Attrs  # type: ignore[assignment]
    done = cast(Attrs, v)
    done.pos = p.pos
    return done


class Closure:
    """A lambda value: the compiled lambda (`code`) closed over `env`."""

    __slots__ = ("code", "env")

    def __init__(self, code: Any, env: Any):
        self.code = code
        self.env = env


class PrimOp:
    """A builtin function of fixed arity; `fn(ev, *args)` gets unforced arguments."""

    __slots__ = ("name", "arity", "fn", "doc", "params")

    def __init__(
        self, name: str, arity: int, fn: Callable[..., Value], doc: str = "", params: tuple = ()
    ):
        self.name = name
        self.arity = arity
        self.fn = fn
        self.doc = doc
        self.params = params

    def __repr__(self) -> str:
        return f"PrimOp({self.name!r}/{self.arity})"


class PrimOpApp:
    """A builtin applied to fewer arguments than its arity."""

    __slots__ = ("primop", "args")

    def __init__(self, primop: PrimOp, args: tuple):
        self.primop = primop
        self.args = args


_BLACKHOLE = object()


class Thunk:
    """A delayed computation `fn(env)`; memoizes its value.

    While being forced it is black-holed: forcing it again raises
    `infinite recursion encountered`.  If forcing fails, the thunk is reset,
    so that `tryEval` and later forcings see the same error again.
    """

    # Five slots, the last one never set or read: with four a thunk is 64
    # bytes instead of 80 (pymalloc's classes step by 16), which saves ~1% of
    # large-100's CPU, but bench/eval.py's attrsets program (20 000 `//` of a
    # growing set, all the time in copying and freeing dict tables) took
    # 2.07 s instead of 1.60, measured again after glibc's heap trimming was
    # ruled out (`deep._keep_freed_heap`); the cause is not found.
    __slots__ = ("fn", "env", "value", "span", "_pad")
    value: Value

    def __init__(self, fn: Any, env: Any, span: Span | None = None):
        self.fn = fn
        self.env = env
        self.span = span

    def force(self) -> Value:
        fn = self.fn
        if fn is None:
            return self.value
        if fn is _BLACKHOLE:
            raise InfiniteRecursion("infinite recursion encountered", self.span, self)
        self.fn = _BLACKHOLE
        try:
            value = fn(self.env)
        except BaseException as e:
            self.fn = fn
            if type(e) is InfiniteRecursion:
                e.unwound(self)
            raise
        self.value = value
        self.fn = None
        self.env = None
        return value

    @property
    def forced(self) -> bool:
        return self.fn is None


def force(v: Value) -> Value:
    """Weak head normal form of a value or thunk."""
    if type(v) is Thunk:
        return v.force()
    return v


def string_text(v: Value) -> str:
    return v if type(v) is str else v.s


def string_context(v: Value) -> frozenset:
    return v.context if type(v) is CtxStr else frozenset()


def make_string(s: str, context: frozenset | set | None) -> Value:
    if context:
        return CtxStr(s, frozenset(context))
    return s


def is_function(v: Value) -> bool:
    t = type(v)
    return t is Closure or t is PrimOp or t is PrimOpApp


_TYPE_OF = {
    type(None): "null",
    bool: "bool",
    int: "int",
    float: "float",
    str: "string",
    CtxStr: "string",
    PathValue: "path",
    list: "list",
    Attrs: "set",
    LazyAttrs: "set",
    Closure: "lambda",
    PrimOp: "lambda",
    PrimOpApp: "lambda",
}


def type_of(v: Value) -> str:
    """`builtins.typeOf` of a forced value."""
    return _TYPE_OF[type(v)]


_SHOW_TYPE = {
    "null": "null",
    "bool": "a Boolean",
    "int": "an integer",
    "float": "a float",
    "string": "a string",
    "path": "a path",
    "list": "a list",
    "set": "a set",
    "lambda": "a function",
}


def show_type(v: Value) -> str:
    """Nix's description of a value's type in error messages."""
    t = type(v)
    if t is PrimOp:
        return f"the built-in function '{v.name}'"
    if t is PrimOpApp:
        return f"the partially applied built-in function '{v.primop.name}'"
    if t is CtxStr:
        return "a string with context"
    return _SHOW_TYPE[type_of(v)]
