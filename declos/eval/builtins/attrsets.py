"""Attribute set builtins."""

from __future__ import annotations

from declos.eval import errors
from declos.eval.builtins.registry import (
    arg_ctx,
    builtin,
    force,
    force_attrs,
    force_function,
    force_list,
    force_string_text,
)
from declos.eval.errors import OVERFLOW, EvalError, MissingAttrError, StackOverflow
from declos.eval.values import (
    Attrs,
    Closure,
    LazyAttrs,
    PrimOp,
    PrimOpApp,
    Thunk,
    lazy_get,
    lazy_has,
)


@builtin("attrNames", ("set",))
def attr_names(ev, s):
    return sorted(force_attrs(s, arg_ctx(0, "attrNames")))


@builtin("attrValues", ("set",))
def attr_values(ev, s):
    a = force_attrs(s, arg_ctx(0, "attrValues"))
    return [a[n] for n in sorted(a)]


@builtin("getAttr", ("s", "set"))
def get_attr(ev, name, s):
    n = force_string_text(name, arg_ctx(0, "getAttr"))
    s = force(s)
    if type(s) is LazyAttrs and lazy_has(s, n):
        return force(lazy_get(s, n))
    a = force_attrs(s, arg_ctx(1, "getAttr"))
    if n not in a:
        raise MissingAttrError(f"attribute '{n}' missing")
    return force(a[n])


@builtin("hasAttr", ("s", "set"))
def has_attr(ev, name, s):
    n = force_string_text(name, arg_ctx(0, "hasAttr"))
    s = force(s)
    if type(s) is LazyAttrs:
        return lazy_has(s, n)
    return n in force_attrs(s, arg_ctx(1, "hasAttr"))


@builtin("removeAttrs", ("set", "list"), global_=True)
def remove_attrs(ev, s, names):
    a = force_attrs(s, arg_ctx(0, "removeAttrs"))
    drop = {
        force_string_text(
            n, "while evaluating the values of the second argument passed to builtins.removeAttrs"
        )
        for n in force_list(names, arg_ctx(1, "removeAttrs"))
    }
    if not drop & a.keys():
        return a
    return Attrs({k: v for k, v in a.items() if k not in drop}, pos=a.pos)


@builtin("listToAttrs", ("e",))
def list_to_attrs(ev, e):
    # Each attribute's position is that of its element's `name` (as Nix).
    pos: dict = {}
    out = Attrs(pos=pos)
    for item in force_list(e, arg_ctx(0, "listToAttrs")):
        pair = force_attrs(
            item, "while evaluating an element of the list passed to builtins.listToAttrs"
        )
        if "name" not in pair:
            raise MissingAttrError("attribute 'name' missing")
        name = force_string_text(
            pair["name"],
            "while evaluating the `name` attribute of an element of the list passed to builtins.listToAttrs",
        )
        if name in out:
            continue
        if "value" not in pair:
            raise MissingAttrError("attribute 'value' missing")
        out[name] = pair["value"]
        if pair.pos and "name" in pair.pos:
            pos[name] = pair.pos["name"]
    return out


@builtin("intersectAttrs", ("e1", "e2"))
def intersect_attrs(ev, e1, e2):
    a = force_attrs(e1, arg_ctx(0, "intersectAttrs"))
    b = force_attrs(e2, arg_ctx(1, "intersectAttrs"))
    # Positions are those of the second set, whose values are kept (as Nix).
    return Attrs({k: v for k, v in b.items() if k in a}, pos=b.pos)


@builtin("catAttrs", ("attr", "list"))
def cat_attrs(ev, attr, xs):
    name = force_string_text(attr, arg_ctx(0, "catAttrs"))
    out = []
    for item in force_list(xs, arg_ctx(1, "catAttrs")):
        a = force_attrs(
            item,
            "while evaluating an element in the list passed as second argument to builtins.catAttrs",
        )
        if name in a:
            out.append(a[name])
    return out


@builtin("mapAttrs", ("f", "attrset"))
def map_attrs(ev, f, s):
    a = force_attrs(s, arg_ctx(1, "mapAttrs"))
    # As Nix, the result has no attribute positions (nixpkgs' module tests use
    # `mapAttrs (k: v: v)` as `discardPositions`).
    out = Attrs()
    if type(f) is Closure and f.code.formals is None and f.code.inner is not None:
        # A curried `name: value: …`: its inner body, as Evaluator.call2 runs it.
        body, fenv = f.code.inner.body, f.env
        for name, value in a.items():
            out[name] = Thunk(_apply2_body, (body, fenv, name, value))
        return out
    for name, value in a.items():
        out[name] = Thunk(_apply2, (ev, f, name, value))
    return out


def _apply2_body(env):
    """Thunk body for `f a b`, f a curried closure: `env` is (its inner body, its env, a, b)."""
    body, fenv, a, b = env
    try:
        return body([[fenv, a], b])
    except RecursionError:
        raise StackOverflow(OVERFLOW, None) from None
    except EvalError as e:
        errors.add_frame(e, None)
        raise


def _apply2(env):
    """Thunk body for `f a b` built by mapAttrs/zipAttrsWith: `env` is (evaluator, f, a, b)."""
    ev, f, a, b = env
    return ev.call2(f.force() if type(f) is Thunk else f, a, b)


@builtin("zipAttrsWith", ("f", "list"))
def zip_attrs_with(ev, f, xs):
    groups: dict[str, list] = {}
    for item in force_list(xs, arg_ctx(1, "zipAttrsWith")):
        a = force_attrs(
            item,
            "while evaluating a value of the list passed as second argument to builtins.zipAttrsWith",
        )
        for name, value in a.items():
            groups.setdefault(name, []).append(value)
    out = Attrs()
    for name in sorted(groups):
        out[name] = Thunk(_apply2, (ev, f, name, groups[name]))
    return out


@builtin("functionArgs", ("f",))
def function_args(ev, f):
    fn = force_function(f, arg_ctx(0, "functionArgs"))
    if type(fn) is Closure:
        formals = fn.code.formals
        if formals is None:
            return Attrs()
        return Attrs({name: default is not None for name, default in formals})
    if type(fn) in (PrimOp, PrimOpApp):
        return Attrs()
    raise EvalError("'functionArgs' requires a function")


@builtin("unsafeGetAttrPos", ("s", "set"))
def unsafe_get_attr_pos(ev, name, s):
    n = force_string_text(name, arg_ctx(0, "unsafeGetAttrPos"))
    return attr_pos(force_attrs(s, arg_ctx(1, "unsafeGetAttrPos")), n)


def attr_pos(a: Attrs, name: str) -> Attrs | None:
    """`builtins.unsafeGetAttrPos name a` for a forced set `a`."""
    span = a.pos.get(name) if a.pos else None
    if span is None:
        return None
    line, col = span.line_col
    return Attrs({"file": span.source.path or span.source.name, "line": line, "column": col})
