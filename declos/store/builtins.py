"""The glue between the evaluator and the store (tvix's "glue" crate).

Owns `EvalStore`, the object an `Evaluator` calls to put things into the
store (`"${./file}"`, `builtins.path`, `filterSource`, `toFile`) and to
instantiate derivations, and `install`, which adds the store-aware builtins
to an evaluator: `derivationStrict` (global, as in Nix) and `derivation`
(global and in `builtins`), the latter written in DCL as Nix's
`derivation.nix` is (`derivation.dcl` next to this file).

Two modes:
- writing (`EvalStore(store)`): sources are copied into a real `Store` and
  `.drv` files are written, as `nix-instantiate` does;
- read-only (`EvalStore.read_only("/nix/store")`): every path is computed
  but nothing is written, as `nix-instantiate --eval` does.  This is what
  plain `declos eval` uses, so `(derivation {...}).outPath` prints exactly
  what Nix prints.  Derivations instantiated during the evaluation are kept
  in memory (`derivations`), because their `.drv` files do not exist.

`derivationStrict` follows Nix's `prim_derivationStrict`: attributes in
lexicographic order, each coerced to a string as `toString` does (lists
space-joined, true "1", false/null "", paths copied into the store,
derivations as their `outPath` with their `.drv` in context), `args` as a
list of such strings, `__ignoreNulls` dropping null attributes; then the
collected string contexts become input sources (plain paths), input
derivation outputs (`!out!<drv>`), or, for a `drvPath` used directly
(`=<drv>`), the derivation's whole closure.

Example:
    ev = Evaluator()
    install(ev, EvalStore.read_only("/nix/store"))
    # (derivation { name = "x"; system = "x86_64-linux"; builder = "/bin/sh"; }).outPath
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from declos.diagnostics import DeclosError, Source
from declos.eval.builtins.registry import (
    coerce_string,
    force,
    force_attrs,
    force_bool,
    force_list,
    force_string_no_context,
)
from declos.eval.errors import EvalError
from declos.eval.values import Attrs, CtxStr, PrimOp, Thunk, Value

if TYPE_CHECKING:
    from declos.diagnostics import Span
    from declos.eval.evaluator import Evaluator
    from declos.eval.hashes import Hash
    from declos.store.derivation import Derivation
    from declos.store.store import Store

# The store modules are imported where they are used, so that `declos eval`
# (which always installs this glue) pays for them only when it needs them.

HERE = os.path.dirname(os.path.abspath(__file__))
DERIVATION_DCL = os.path.join(HERE, "derivation.dcl")
PKGS_DIR = os.path.join(HERE, "pkgs")
DEFAULT_STORE_DIR = "/nix/store"
DRV_EXTENSION = ".drv"


def _eval_error(e: DeclosError) -> EvalError:
    """A store error raised during evaluation, as an evaluation error (so
    that it is located and carries the evaluation's trace)."""
    if isinstance(e, EvalError):
        return e
    err = EvalError(e.message, e.span)
    err.frames.extend(e.frames)
    return err


class EvalStore:
    """What `Evaluator.store` is: a `Store` to write into, or none (read-only).

    Every method returns printed store paths (`str`) and raises `EvalError`.
    """

    def __init__(self, store: Store | None, store_dir: str | None = None):
        self.store = store
        self.store_dir = store.store_dir if store is not None else (store_dir or DEFAULT_STORE_DIR)
        #: Every derivation instantiated in this evaluation, by `.drv` path.
        self.derivations: dict[str, Derivation] = {}
        self._refs: dict[str, tuple[str, ...]] = {}  # text paths' references
        self._nar: dict[str, Hash] = {}  # added sources' NAR hashes
        self._copied: dict[tuple[str, str, bool], str] = {}

    @classmethod
    def read_only(cls, store_dir: str = DEFAULT_STORE_DIR) -> EvalStore:
        return cls(None, store_dir)

    @property
    def writable(self) -> bool:
        return self.store is not None

    # --- what the evaluator calls ----------------------------------------

    def add_path(
        self,
        src: str,
        name: str | None = None,
        filter: Callable[[str, str], bool] | None = None,
        recursive: bool = True,
    ) -> str:
        """Copy `src` into the store (or compute where it would go); once per
        (source, name, method) in one evaluation, as Nix's `srcToStore`."""
        src = os.path.abspath(src)
        name = name if name is not None else os.path.basename(src)
        key = (src, name, recursive)
        if filter is None and key in self._copied:
            return self._copied[key]
        try:
            if name.endswith(DRV_EXTENSION):
                raise EvalError(f"file names are not allowed to end in '{DRV_EXTENSION}'")
            if not os.path.lexists(src):
                raise EvalError(f"getting status of '{src}': No such file or directory")
            if self.store is not None:
                dest = str(self.store.add_path(src, name, recursive=recursive, filter=filter))
            else:
                dest = self._compute_path(src, name, filter, recursive)
        except DeclosError as e:
            raise _eval_error(e) from None
        if filter is None:
            self._copied[key] = dest
        return dest

    def _compute_path(
        self,
        src: str,
        name: str,
        filter: Callable[[str, str], bool] | None,
        recursive: bool,
    ) -> str:
        from declos.store.fs import copy_tree, remove_tree
        from declos.store.hashing import file_hash, nar_hash
        from declos.store.paths import check_name, make_fixed_output_path, make_source_path

        check_name(name)
        if not recursive:
            h = file_hash(src)
            return str(make_fixed_output_path(name, h, False, self.store_dir))
        if filter is None:
            h = nar_hash(src)[0]
        else:
            import tempfile  # rare (a filtered path, read-only); tempfile costs ~3 ms to import

            staging = tempfile.mkdtemp(prefix="declos-path-")
            try:
                staged = os.path.join(staging, "x")
                copy_tree(src, staged, filter)
                h = nar_hash(staged)[0]
            finally:
                remove_tree(staging)
        dest = str(make_source_path(name, h, self.store_dir))
        self._nar[dest] = h
        return dest

    def add_text(self, name: str, data: bytes, references: Iterable[str]) -> str:
        from declos.store.paths import check_name, make_text_path

        refs = tuple(sorted(set(references)))
        try:
            if self.store is not None:
                dest = str(self.store.add_text(name, data, refs))
            else:
                dest = str(make_text_path(check_name(name), data, refs, self.store_dir))
        except DeclosError as e:
            raise _eval_error(e) from None
        self._refs[dest] = refs
        return dest

    def is_valid(self, path: str) -> bool:
        """Whether `path` is a valid store path (`builtins.storePath`); when
        writing, it is then a temporary root: the evaluation uses it."""
        if self.store is not None:
            return self.store.keep_if_valid([path])
        return os.path.lexists(path) or path in self._nar or path in self._refs

    def content_hash(self, path: str, algo: str, recursive: bool) -> Hash:
        """The hash of `path` (a store path or a source) for `builtins.path`'s
        `sha256`/`hash` check."""
        from declos.store.hashing import file_hash, nar_hash

        if recursive and algo == "sha256" and path in self._nar:
            return self._nar[path]
        if recursive:
            return nar_hash(path, algo)[0]
        return file_hash(path, algo)

    # --- derivations --------------------------------------------------------

    def read_derivation(self, path: str) -> Derivation:
        drv = self.derivations.get(path)
        if drv is not None:
            return drv
        if self.store is not None:
            drv = self.store.read_derivation(path)
        else:
            from declos.store.derivation import parse_derivation

            try:
                with open(path) as f:
                    text = f.read()
            except OSError:
                raise EvalError(f"cannot read derivation '{path}'") from None
            name = os.path.basename(path).split("-", 1)[1][: -len(DRV_EXTENSION)]
            drv = parse_derivation(text, name)
        self.derivations[path] = drv
        return drv

    def references(self, path: str) -> tuple[str, ...]:
        if path.endswith(DRV_EXTENSION):
            return self.read_derivation(path).references()
        if path in self._refs:
            return self._refs[path]
        if self.store is not None:
            return tuple(self.store.query_references(path))
        return ()

    def closure(self, path: str) -> set[str]:
        """`computeFSClosure`: `path` and everything it refers to."""
        seen: set[str] = set()
        stack = [path]
        while stack:
            p = stack.pop()
            if p in seen:
                continue
            seen.add(p)
            stack.extend(self.references(p))
        return seen

    def derivation(
        self,
        env: Mapping[str, str],
        args: Iterable[str],
        input_drvs: Mapping[str, Iterable[str]],
        input_srcs: Iterable[str],
        span: Span | None = None,
    ) -> tuple[str, Derivation]:
        """Instantiate (and, when writing, write) a derivation; (drv path, drv)."""
        from declos.store.derivation import drv_path, instantiate

        try:
            drv = instantiate(
                env,
                args=args,
                input_drvs=input_drvs,
                input_srcs=input_srcs,
                store_dir=self.store_dir,
                resolve=self.read_derivation,
                span=span,
            )
            if self.store is not None:
                path = str(self.store.add_derivation(drv))
            else:
                path = str(drv_path(drv, self.store_dir))
        except DeclosError as e:
            raise _eval_error(e) from None
        self.derivations[path] = drv
        return path, drv


# --- derivationStrict ----------------------------------------------------------


def _unsupported(key: str) -> EvalError:
    what = {
        "__structuredAttrs": "structured attributes ('__structuredAttrs')",
        "__contentAddressed": "content-addressed derivations ('__contentAddressed')",
        "__impure": "impure derivations ('__impure')",
    }[key]
    return EvalError(f"{what} are not supported by declos; remove the attribute")


def derivation_strict(ev, args):
    """`builtins.derivationStrict attrs`: `{ drvPath; <output> = path; ... }`."""
    store: EvalStore = ev.store
    attrs = force_attrs(args, "while evaluating the argument passed to builtins.derivationStrict")
    if "name" not in attrs:
        raise EvalError("required attribute 'name' missing")
    name = force_string_no_context(
        attrs["name"], "while evaluating the `name` attribute passed to builtins.derivationStrict"
    )
    where = f"while evaluating the attribute '{{}}' of the derivation '{name}'"
    ignore_nulls = False
    if "__ignoreNulls" in attrs:
        ignore_nulls = force_bool(attrs["__ignoreNulls"], where.format("__ignoreNulls"))
    for key in ("__structuredAttrs", "__contentAddressed", "__impure"):
        if key in attrs and force(attrs[key]) is not False:
            raise _unsupported(key)
    env: dict[str, str] = {}
    drv_args: list[str] = []
    context: set[str] = set()
    for key in sorted(attrs):
        if key == "__ignoreNulls":
            continue
        value = force(attrs[key])
        if ignore_nulls and value is None:
            continue
        try:
            if key == "args":
                for item in force_list(value, where.format("args")):
                    s, c = coerce_string(ev, item, "", copy_to_store=True, more=True)
                    drv_args.append(s)
                    context |= c
                continue
            s, c = coerce_string(ev, value, "", copy_to_store=True, more=True)
        except EvalError as e:
            e.add_frame(attrs.pos.get(key) if attrs.pos else None, where.format(key))
            raise
        env[key] = s
        context |= c
    input_drvs: dict[str, set[str]] = {}
    input_srcs: set[str] = set()
    for elem in context:
        if elem[0] == "=":
            for p in store.closure(elem[1:]):
                input_srcs.add(p)
                if p.endswith(DRV_EXTENSION):
                    outs = store.read_derivation(p).outputs
                    input_drvs.setdefault(p, set()).update(outs)
        elif elem[0] == "!":
            _, output, path = elem.split("!", 2)
            input_drvs.setdefault(path, set()).add(output)
        else:
            input_srcs.add(elem)
    span = attrs.pos.get("name") if attrs.pos else None
    path, drv = store.derivation(env, drv_args, input_drvs, input_srcs, span)
    ev.stats.derivations += 1  # for progress reports
    result = Attrs()
    result["drvPath"] = CtxStr(path, frozenset(("=" + path,)))
    for output, out in drv.outputs.items():
        result[output] = CtxStr(out.path, frozenset((f"!{output}!{path}",)))
    return result


DERIVATION_STRICT = PrimOp(
    "derivationStrict", 1, derivation_strict, derivation_strict.__doc__ or ""
)


def install(ev: Evaluator, store: EvalStore) -> None:
    """Give `ev` the store: `ev.store`, `derivationStrict`, `derivation`, and
    the `<declos/pkgs>` search path entry (ahead of the generic `declos`
    one).  Call before evaluating anything: global names are compiled in."""
    ev.store = store
    b = ev.globals["builtins"]
    assert type(b) is Attrs
    b["derivationStrict"] = DERIVATION_STRICT
    ev.globals["derivationStrict"] = DERIVATION_STRICT
    ev.globals["__derivationStrict"] = DERIVATION_STRICT

    def load(_env: object) -> Value:
        with open(DERIVATION_DCL, encoding="utf-8") as f:
            text = f.read()
        return ev.eval_source(Source(DERIVATION_DCL, text))

    derivation = Thunk(load, None)
    b["derivation"] = derivation
    ev.globals["derivation"] = derivation
    ev.globals["__derivation"] = derivation
    if not any(prefix == "declos/pkgs" for prefix, _ in ev.builtin_search_path):
        ev.builtin_search_path.insert(0, ("declos/pkgs", PKGS_DIR))
    # builtins.fetchurl (a fixed-output derivation) and the host's packages (`pkgs.<name>`)
    from declos.store.pkgs import fetch, host_index

    fetch.install(ev)
    host_index.install(ev)


def evaluator_with_store(store: EvalStore, search_path: Iterable[str] = (), **kw: Any) -> Evaluator:
    """A fresh `Evaluator` with `store` installed."""
    from declos.eval.evaluator import Evaluator

    ev = Evaluator(search_path=list(search_path), **kw)
    install(ev, store)
    return ev
