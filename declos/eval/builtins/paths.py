"""File-system builtins: `readFile`, `readDir`, `readFileType`, `pathExists`,
`toPath`, and the store-backed `path`, `filterSource`, `toFile`.

Every read is recorded in `ev.reads` (("file", p), ("dir", p), ("exists", p))
so that callers can tell what an evaluation depended on.  Copying into the
store goes through `ev.store` (`declos.store.builtins.EvalStore`: a writing
store, or a read-only one that only computes paths, as `nix-instantiate
--eval` does); an evaluator without one fails here with a clear error.
"""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING, Any

from declos.eval.builtins.registry import (
    arg_ctx,
    builtin,
    coerce_string,
    force,
    force_attrs,
    force_bool,
    force_function,
    force_string,
    force_string_text,
)
from declos.eval.errors import (
    EvalError,
    RestrictedPathError,
    UnlocatedError,
    cannot_coerce,
)
from declos.eval.ops import canonicalize_path
from declos.eval.values import (
    Attrs,
    CtxStr,
    PathValue,
    Value,
    make_string,
    settle,
    string_text,
)

if TYPE_CHECKING:
    from declos.eval.evaluator import Evaluator


def _sys_error(what: str, path: str, e: OSError) -> EvalError:
    return UnlocatedError(f"{what} '{path}': {os.strerror(e.errno) if e.errno else e}")


def real_path(ev: Evaluator, v: Value, ctx: str) -> str:
    """A path argument as an absolute file-system path (Nix's `realisePath`)."""
    v = settle(force(v))
    if type(v) is PathValue:
        return v.path
    if type(v) is Attrs and ("__toString" in v or "outPath" in v):
        text, _ = coerce_string(ev, v, ctx)
    elif type(v) is str or type(v) is CtxStr:
        text = string_text(v)
    else:
        raise cannot_coerce(v, "a path").add_frame(None, ctx)
    if not text.startswith("/"):
        raise EvalError(f"string '{text}' doesn't represent an absolute path").add_frame(None, ctx)
    return canonicalize_path(text)


def read_file_bytes(ev: Evaluator, path: str) -> bytes:
    """The bytes of a file; errors name the path (current Nix's wording:
    Nix 2.8 said "reading from file: Is a directory", without it)."""
    ev.check_path(path)
    ev.reads.append(("file", path))
    try:
        f = open(path, "rb")  # noqa: SIM115
    except IsADirectoryError as e:
        raise _sys_error("reading from file", path, e) from None
    except OSError as e:
        raise _sys_error("opening file", path, e) from None
    try:
        with f:
            return f.read()
    except OSError as e:
        raise _sys_error("reading from file", path, e) from None


def _file_type(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "regular"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISLNK(mode):
        return "symlink"
    return "unknown"


@builtin("readFile", ("path",))
def read_file(ev, path):
    p = real_path(ev, path, "while evaluating the first argument passed to builtins.readFile")
    data = read_file_bytes(ev, p)
    if b"\0" in data:
        raise EvalError(f"the contents of the file '{p}' cannot be represented as a Nix string")
    return data.decode("utf-8", "surrogateescape")


@builtin("readDir", ("path",))
def read_dir(ev, path):
    p = real_path(ev, path, "while evaluating the first argument passed to builtins.readDir")
    ev.check_path(p)
    ev.reads.append(("dir", p))
    out = Attrs()
    try:
        with os.scandir(p) as it:
            for entry in it:
                try:
                    if entry.is_symlink():
                        kind = "symlink"
                    elif entry.is_dir(follow_symlinks=False):
                        kind = "directory"
                    elif entry.is_file(follow_symlinks=False):
                        kind = "regular"
                    else:
                        kind = "unknown"
                except OSError:
                    kind = "unknown"
                out[entry.name] = kind
    except OSError as e:
        raise _sys_error("opening directory", p, e) from None
    return out


@builtin("readFileType", ("p",))
def read_file_type(ev, p):
    path = real_path(ev, p, "while evaluating the first argument passed to builtins.readFileType")
    ev.check_path(path)
    ev.reads.append(("exists", path))
    try:
        st = os.lstat(path)
    except OSError as e:
        raise _sys_error("getting status of", path, e) from None
    return _file_type(st.st_mode)


@builtin("pathExists", ("path",))
def path_exists(ev, path):
    v = force(path)
    must_be_dir = False
    if type(v) is str or type(v) is CtxStr:
        text = string_text(v)
        must_be_dir = text.endswith("/") and text != "/"
    p = real_path(ev, v, "while realising the context of a path")
    try:
        ev.check_path(p)
    except RestrictedPathError:
        return False  # as Nix: say nothing about what is outside
    ev.reads.append(("exists", p))
    try:
        st = os.lstat(p) if not must_be_dir else os.stat(p)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) if must_be_dir else True


@builtin("toPath", ("s",))
def to_path(ev, s):
    text, context = coerce_string(
        ev, s, "while evaluating the first argument passed to builtins.toPath"
    )
    if not text.startswith("/"):
        raise EvalError(f"string '{text}' doesn't represent an absolute path")
    return make_string(canonicalize_path(text), context)


# --- the store ---------------------------------------------------------------


def _need_store(ev: Evaluator, name: str) -> Any:
    if ev.store is None:
        raise EvalError(f"builtins.{name} needs a store to copy into, and this evaluation has none")
    return ev.store


def _filter_fn(ev, fn):
    if fn is None:
        return None

    def keep(path: str, kind: str) -> bool:
        r = ev.call_n(fn, [path, kind])
        return force_bool(r, "while evaluating the return value of the path filter function")

    return keep


def _add_path(
    ev: Evaluator, name: str, src: str, store_name: str, fn: Value, recursive: bool
) -> CtxStr:
    ev.check_path(src)
    store = _need_store(ev, name)
    ev.reads.append(("file", src))
    try:
        dest = store.add_path(src, name=store_name, filter=_filter_fn(ev, fn), recursive=recursive)
    except EvalError:
        raise
    except Exception as e:  # the store's own errors (missing file, bad name)
        raise EvalError(getattr(e, "message", str(e))) from None
    dest = str(dest)
    return CtxStr(dest, frozenset((dest,)))


@builtin("filterSource", ("filter", "path"))
def filter_source(ev, filter_, path):
    fn = force_function(filter_, arg_ctx(0, "filterSource"))
    src = real_path(ev, path, arg_ctx(1, "filterSource"))
    return _add_path(ev, "filterSource", src, os.path.basename(src), fn, True)


@builtin("path", ("args",))
def path_(ev, args):
    attrs = force_attrs(args, arg_ctx(0, "path"))
    if "path" not in attrs:
        raise EvalError("missing required 'path' attribute in the first argument to builtins.path")
    src = real_path(
        ev, attrs["path"], "while evaluating the 'path' attribute passed to builtins.path"
    )
    name = os.path.basename(src)
    if "name" in attrs:
        name = force_string_text(
            attrs["name"], "while evaluating the `name` attribute passed to builtins.path"
        )
    fn = None
    if "filter" in attrs:
        fn = force_function(
            attrs["filter"], "while evaluating the `filter` parameter passed to builtins.path"
        )
    recursive = True
    if "recursive" in attrs:
        recursive = force_bool(
            attrs["recursive"], "while evaluating the `recursive` attribute passed to builtins.path"
        )
    result = _add_path(ev, "path", src, name, fn, recursive)
    for key in ("sha256", "hash"):
        if key in attrs:
            expected = force_string_text(attrs[key])
            _check_expected_hash(ev, result.s, src, expected, recursive)
    return result


def _check_expected_hash(
    ev: Evaluator, dest: str, src: str, expected: str, recursive: bool
) -> None:
    from declos.eval.hashes import Hash, HashError

    try:
        want = Hash.parse(expected, None if ("-" in expected or ":" in expected) else "sha256")
    except HashError as e:
        raise EvalError(e.message) from None
    got = ev.store.content_hash(dest if recursive else src, want.algo, recursive)
    if got.algo == want.algo and got.digest != want.digest:
        raise EvalError(
            f"hash mismatch in file '{src}':\n  specified: {want.sri()}\n  got:       {got.sri()}"
        )


@builtin("toFile", ("name", "s"))
def to_file(ev, name, s):
    file_name = force_string_text(name, arg_ctx(0, "toFile"))
    v = force_string(s, arg_ctx(1, "toFile"))
    text = string_text(v)
    refs = []
    for elem in v.context if type(v) is CtxStr else ():
        if elem[0] == "=" or elem[0] == "!":
            raise EvalError(
                f"files created by builtins.toFile may not reference derivations, but "
                f"{file_name} references {elem.rsplit('!', 1)[-1].lstrip('=')}"
            )
        refs.append(elem)
    data = text.encode("utf-8", "surrogateescape")
    store = _need_store(ev, "toFile")
    try:
        dest = str(store.add_text(file_name, data, refs))
    except EvalError:
        raise
    except Exception as e:
        raise EvalError(getattr(e, "message", str(e))) from None
    return CtxStr(dest, frozenset((dest,)))
