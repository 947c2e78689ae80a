"""The evaluator: function calls, forcing with typed errors, `import`, search paths.

One `Evaluator` is one evaluation: it owns the builtins, the import cache and
the search path.  It knows nothing about the store layout: copying a path
into the store goes through the `store` object handed in by the caller
(the CLI passes `declos.store`'s glue); without one it is a clear error.
"""

from __future__ import annotations

import os
from typing import Any

import attrs

from declos import dirs
from declos.diagnostics import DeclosError, Source, Span, suggest
from declos.eval import deep, errors
from declos.eval import settings as _settings
from declos.eval.errors import (
    OVERFLOW,
    EvalError,
    EvalTypeError,
    ImportCycle,
    RestrictedPathError,
    StackOverflow,
    UnlocatedError,
)
from declos.eval.ops import canonicalize_path
from declos.eval.printing import show_value
from declos.eval.rt import LambdaCode, primop_error
from declos.eval.units import Units
from declos.eval.values import (
    Attrs,
    Closure,
    CtxStr,
    LazyAttrs,
    PathValue,
    PrimOp,
    PrimOpApp,
    Thunk,
    Value,
    force,
    settle,
    show_type,
    string_text,
)

# declos' own DCL (lib, module system, store helpers) and the module library,
# for placing infinite recursion errors in the user's files (errors.relocate).
errors.INTERNAL_DIRS[:] = [(dirs.PACKAGE_DIR + "/", 0), (dirs.modules_dir().rstrip("/") + "/", 1)]


def _inside(path: str, directories: list[str]) -> bool:
    return any(path == d or path.startswith(d.rstrip("/") + "/") for d in directories)


class EvalStats:
    """Counters an evaluation keeps for progress reports (`declos.progress`):
    files imported, option values merged (`mergeDefinitions`), derivations
    instantiated."""

    __slots__ = ("files", "options", "derivations")

    def __init__(self) -> None:
        self.files = 0
        self.options = 0
        self.derivations = 0

    def describe(self) -> str:
        parts = [f"{self.files} files"] if self.files else []
        if self.options:
            parts.append(f"{self.options} options")
        if self.derivations:
            parts.append(f"{self.derivations} derivations")
        return ", ".join(parts)


class Evaluator:
    def __init__(
        self,
        search_path: list[str] | None = None,
        store: Any = None,
        pure: bool = False,
        env: dict[str, str] | None = None,
        settings: _settings.EvalSettings | None = None,
        reference_modules: bool | None = None,
        library: list[tuple[str, str]] | None = None,
    ) -> None:
        """`search_path`: `-I` entries, `name=path` or plain directories, in order.
        `library`: the built-in `(prefix, directory)` entries searched after
        them (`<declos/lib>`, `<declos/modules/...>`); default:
        `declos.dirs.library_search_path()`.

        `settings` (restrict-eval, pure-eval) default to the process's
        (`declos.eval.settings.current()`); `pure` is pure-eval too.
        `reference_modules` leaves out the Python versions of lib functions
        (`builtins/modsys.py`), so the module system runs its DCL reference
        implementation; default: `DECLOS_REFERENCE_MODULES=1` in the
        environment.
        """
        if reference_modules is None:
            reference_modules = os.environ.get("DECLOS_REFERENCE_MODULES") == "1"
        self.reference_modules = reference_modules
        deep.remember(self)
        self.search_path = list(search_path or [])
        # Always last: `<declos/...>` resolves to the library shipped with declos,
        # `<declos/modules/...>` to the module library (handed in: declos.dirs).
        self.builtin_search_path: list[tuple[str, str]] = list(
            dirs.library_search_path() if library is None else library
        )
        self.store = store
        self.settings = settings if settings is not None else _settings.current()
        if pure and not self.settings.pure_eval:
            self.settings = attrs.evolve(self.settings, pure_eval=True)
        self.pure = self.settings.pure_eval
        # With restrict-eval: directories allowed beyond the search path
        # (the configuration's, the evaluated file's); see `check_path`.
        self.allowed_paths: list[str] = []
        self.importing: list[str] = []  # files whose import is being evaluated
        self.environ = os.environ if env is None else env
        self.units = Units(self)
        self.import_cache: dict[str, Thunk] = {}
        self.globals: dict[str, object] = {}
        self.traces: list[str] = []
        self.reads: list[tuple[str, str]] = []  # (kind, path) read during evaluation
        self.stats = EvalStats()
        from declos.eval.builtins import install

        install(self)
        if self.pure:
            # As Nix in pure mode.  currentSystem stays: every derivation of
            # `<declos/pkgs>` names the host's system (DESIGN.md, Evaluator).
            builtins = self.globals["builtins"]
            assert type(builtins) is Attrs
            builtins.pop("currentTime", None)
            self.globals.pop("__currentTime", None)

    # Calling.
    def call(self, fn: Value, arg: Value, span: Span | None = None) -> Value:
        t = type(fn)
        if t is Closure:
            code = fn.code
            if code.formals is None:
                try:
                    return code.body([fn.env, arg])
                except RecursionError:
                    # Located at the innermost call that has room to say so.
                    raise StackOverflow(OVERFLOW, span) from None
                except EvalError as e:
                    errors.add_frame(e, span)
                    raise
            return self._call_formals(fn, code, arg, span)
        if t is PrimOp:
            if fn.arity == 1:
                return self._run_primop(fn, (arg,), span)
            return PrimOpApp(fn, (arg,))
        if t is PrimOpApp:
            args = fn.args + (arg,)
            prim = fn.primop
            if len(args) == prim.arity:
                return self._run_primop(prim, args, span)
            return PrimOpApp(prim, args)
        if t is Attrs and "__functor" in fn:
            functor = force(fn["__functor"])
            return self.call(self.call(functor, fn, span), arg, span)
        raise EvalTypeError(
            f"attempt to call something which is not a function but {show_type(fn)}: "
            f"{show_value(fn)}",
            span,
        )

    def call2(self, fn: Value, a: Value, b: Value, span: Span | None = None) -> Value:
        """`fn a b`; a curried closure `a: b: …` runs its inner body at once."""
        if type(fn) is Closure:
            code = fn.code
            inner = code.inner
            if inner is not None and code.formals is None:
                try:
                    return inner.body([[fn.env, a], b])
                except RecursionError:
                    raise StackOverflow(OVERFLOW, span) from None
                except EvalError as e:
                    errors.add_frame(e, span)
                    raise
        return self.call(self.call(fn, a, span), b, span)

    def call_n(self, fn: Value, args: list, span: Span | None = None) -> Value:
        if type(fn) is PrimOp and fn.arity == len(args):
            return self._run_primop(fn, tuple(args), span)
        if (
            len(args) > 1
            and type(fn) is Closure
            and fn.code.formals is None
            and fn.code.inner is not None
        ):
            # A curried closure: down its inner codes while arguments last,
            # as call2 does for two.
            code, env, i, last = fn.code, fn.env, 0, len(args) - 1
            while i < last and code.inner is not None:
                env = [env, args[i]]
                code = code.inner
                i += 1
            try:
                fn = code.body([env, args[i]])
            except RecursionError:
                raise StackOverflow(OVERFLOW, span) from None
            except EvalError as e:
                errors.add_frame(e, span)
                raise
            args = args[i + 1 :]
        for arg in args:
            fn = self.call(fn, arg, span)
        return fn

    def _run_primop(self, prim: PrimOp, args: tuple, span: Span | None) -> Value:
        try:
            return prim.fn(self, *args)
        except EvalError as e:
            primop_error(e, prim, span)
            raise

    def _call_formals(self, fn: Closure, code: LambdaCode, arg: Value, span: Span | None) -> Value:
        attrs = force(arg)
        if type(attrs) is LazyAttrs:
            attrs = settle(attrs)
        bind = code.bind
        if bind is not None and type(attrs) is Attrs:
            env = bind(fn.env, arg, attrs)
            if env is not None:
                try:
                    return code.body(env)
                except RecursionError:
                    raise StackOverflow(OVERFLOW, span) from None
                except EvalError as e:
                    errors.add_frame(e, span)
                    raise
        # The generic binding, which raises what a bad argument set is.
        if type(attrs) is not Attrs:
            raise errors.expected("a set", attrs, span).add_frame(
                code.span, f"while calling {code.describe()}"
            )
        env = [fn.env]
        if code.param is not None:
            env.append(arg)
        offset = len(env)
        used = 0
        missing = None
        for i, (name, default) in enumerate(code.formals):
            v = attrs.get(name, _MISSING)
            if v is _MISSING:
                if default is None:
                    raise EvalTypeError(
                        f"{code.describe()} called without required argument '{name}'",
                        code.span,
                    ).add_frame(span, "from call site")
                env.append(None)  # filled below, once every slot exists
                if missing is None:
                    missing = []
                missing.append((offset + i, default))
            else:
                used += 1
                env.append(v)
        if not code.ellipsis and used != len(attrs):
            for name in sorted(attrs):
                if name not in code.formal_names:  # type: ignore[operator]  # set with formals
                    err = EvalTypeError(
                        f"{code.describe()} called with unexpected argument '{name}'", code.span
                    ).add_frame(span, "from call site")
                    err.suggestions = suggest(name, code.formal_names or ())
                    raise err
        if missing:
            for slot, default in missing:
                env[slot] = default(env)
        try:
            return code.body(env)
        except RecursionError:
            raise StackOverflow(OVERFLOW, span) from None
        except EvalError as e:
            errors.add_frame(e, span)
            raise

    def search_path_entries(self) -> list[tuple[str, str]]:
        from declos.eval.builtins.searchpath import parse_search_path

        entries = list(self.search_path)
        if not self.pure:
            entries += self.environ.get("DECLOS_PATH", "").split(":")
        return parse_search_path(entries) + self.builtin_search_path

    # Deep forcing.
    def force_deep(self, v):
        """`deepSeq`/`--strict`: force every attribute and list element."""
        v = force(v)
        stack = [v]
        seen: set[int] = set()
        while stack:
            x = stack.pop()
            t = type(x)
            if t is LazyAttrs:
                x, t = settle(x), Attrs
            if t is Attrs:
                if id(x) in seen:
                    continue
                seen.add(id(x))
                for name in x:
                    item = x[name]
                    try:
                        stack.append(force(item))
                    except EvalError as e:
                        span = x.pos.get(name) if x.pos else None
                        e.add_frame(span, f"while evaluating the attribute '{name}'")
                        raise
            elif t is list:
                if id(x) in seen:
                    continue
                seen.add(id(x))
                for item in x:
                    stack.append(force(item))
        return v

    # Files and imports.
    def eval_source(self, source: Source, scope_attrs: Attrs | None = None) -> Value:
        """Evaluate a file's or an expression's text (a file's code is cached)."""
        names = tuple(sorted(scope_attrs)) if scope_attrs else ()
        code = self.units.cached(source, names)
        if code is not None:
            return self._run_unit(source, code, None, scope_attrs, names)
        from declos.lang.parser import parse_source

        tree = parse_source(source)
        return self._run_unit(source, None, tree, scope_attrs, names)

    def _run_unit(
        self,
        source: Source,
        code: Any,
        tree: Any,
        scope_attrs: Attrs | None,
        names: tuple[str, ...],
    ) -> Value:
        """Evaluate a file: its cached `code`, else its `tree` compiled now;
        `names` are `scope_attrs`' names, sorted (the unit's scope)."""
        env = [None] + [scope_attrs[n] for n in names] if scope_attrs else [None]
        side = ()
        if code is None:
            code, side = self.units.generate(tree, source, names)
        return self.units.run(code, side, source, env)

    def resolve_import_path(self, path: str) -> str:
        if os.path.isdir(path):
            for candidate in ("default.nix", "default.dcl"):
                full = os.path.join(path, candidate)
                if os.path.exists(full):
                    return full
            return os.path.join(path, "default.nix")
        return path

    def import_file(self, path: str, scope_attrs: Attrs | None = None) -> Value:
        self.check_path(path)
        path = self.resolve_import_path(path)
        if scope_attrs is None:
            cached = self.import_cache.get(path)
            if cached is not None:
                if cached.forced:
                    return cached.value
                if path in self.importing:
                    # Its own evaluation needs it: Nix overflows the stack here.
                    chain = self.importing[self.importing.index(path) :] + [path]
                    raise ImportCycle(chain)
                # A file whose first import failed (and whose error a caller
                # caught: tryEval, or a Python version of the module system
                # handing back to its DCL) is in progress again now.
                self.importing.append(path)
                try:
                    return cached.force()
                finally:
                    self.importing.pop()
        from declos.lang.loader import read_source

        self.check_path(path)
        if scope_attrs is not None and self.importing.count(path) >= MAX_IMPORT_DEPTH:
            raise StackOverflow(
                f"{OVERFLOW}: '{path}' is imported {MAX_IMPORT_DEPTH} times "
                "within its own evaluation"
            )
        self.reads.append(("file", path))
        self.stats.files += 1
        names = tuple(sorted(scope_attrs)) if scope_attrs else ()
        try:
            source = read_source(path)
            code = self.units.cached(source, names)
            tree = None
            if code is None:
                from declos.lang.cache import cached_parse  # imports the parser

                tree = cached_parse(source, store=False)  # its code is cached
        except EvalError:
            raise
        except DeclosError as e:
            # A missing or unreadable file, a syntax error: an evaluation
            # error from here on, so that frames (addErrorContext: which
            # module imported it) are added while it unwinds.
            err = UnlocatedError(e.message, e.span, code=e.code)
            err.suggestions = e.suggestions
            raise err from None
        self.importing.append(path)
        try:
            if scope_attrs is not None:
                return self._run_unit(source, code, tree, scope_attrs, names)
            thunk = Thunk(lambda _env: self._run_unit(source, code, tree, None, ()), None)
            self.import_cache[path] = thunk
            return thunk.force()
        finally:
            self.importing.pop()

    # Restricted evaluation.
    def allow_path(self, path: str) -> None:
        """Allow reading under `path` with restrict-eval (a directory or a file)."""
        self.allowed_paths.append(canonicalize_path(path))

    def _allowed(self) -> list[str]:
        found = []
        for _prefix, entry in self.search_path_entries():
            found.append(canonicalize_path(entry))
        found += self.allowed_paths
        return found + [os.path.realpath(p) for p in found]

    def check_path(self, path: str) -> None:
        """Nix's `checkSourcePath`: with restrict-eval, `path` must be under an
        allowed path, both as written and with symlinks resolved."""
        if not self.settings.restricted:
            return
        allowed = self._allowed()
        absolute = canonicalize_path(path)
        if not _inside(absolute, allowed):
            raise RestrictedPathError(
                f"access to absolute path '{absolute}' is forbidden {self.settings.mode_text()}"
            )
        real = os.path.realpath(absolute)
        if real != absolute and not _inside(real, allowed):
            raise RestrictedPathError(
                f"access to canonical path '{real}' is forbidden in restricted mode"
            )

    def copy_path_to_store(self, path: str) -> str:
        self.check_path(path)
        if self.store is None:
            raise EvalError(
                f"cannot copy '{path}' into the store: this evaluation has no store "
                "(string interpolation of a path needs one)"
            )
        return self.store.add_path(path)

    def path_of(self, v: Value, what: str) -> str:
        """A path argument: a path value, or a string holding an absolute path."""
        v = force(v)
        if type(v) is PathValue:
            return v.path
        if type(v) is str or type(v) is CtxStr:
            s = string_text(v)
            if not s.startswith("/"):
                raise EvalError(f"string '{s}' doesn't represent an absolute path")
            return s
        raise errors.cannot_coerce(v, "a path").add_frame(None, what)


_MISSING = object()
# A file scopedImported this many times within its own evaluation is taken
# to recurse without end (a plain `import` cycle is found at once).
MAX_IMPORT_DEPTH = 1000
