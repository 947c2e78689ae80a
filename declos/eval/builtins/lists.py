"""List builtins."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING

from declos.eval import errors, ops
from declos.eval.builtins.registry import (
    arg_ctx,
    builtin,
    force,
    force_attrs,
    force_bool,
    force_function,
    force_int,
    force_list,
    force_string_text,
)
from declos.eval.errors import OVERFLOW, EvalError, StackOverflow
from declos.eval.values import Attrs, Closure, Thunk, Value

if TYPE_CHECKING:
    from declos.eval.evaluator import Evaluator


def _apply(env):
    """Thunk body for `f x` built by map/genList: `env` is (evaluator, f, x)."""
    ev, f, x = env
    return ev.call(f.force() if type(f) is Thunk else f, x)


def _apply_body(env):
    """Thunk body for `f x`, f a formals-free closure: `env` is (its body, its env, x)."""
    body, fenv, x = env
    try:
        return body([fenv, x])
    except RecursionError:
        raise StackOverflow(OVERFLOW, None) from None
    except EvalError as e:
        errors.add_frame(e, None)
        raise


def _results(ev: Evaluator, fn: Value, items: list) -> Iterator[Value]:
    """`fn item` for each item, in order, lazily (a generator): a formals-free
    closure's body called directly, with what `Evaluator.call` adds to an
    error; anything else through `Evaluator.call`."""
    if type(fn) is Closure and fn.code.formals is None:
        body, env = fn.code.body, fn.env
        for item in items:
            try:
                r = body([env, item])
            except RecursionError:
                raise StackOverflow(OVERFLOW, None) from None
            except EvalError as e:
                errors.add_frame(e, None)
                raise
            yield r
    else:
        call = ev.call
        for item in items:
            yield call(fn, item)


_LENGTH = arg_ctx(0, "length")
_FILTER_FN = arg_ctx(0, "filter")
_FILTER_LIST = arg_ctx(1, "filter")


@builtin("length", ("e",))
def length(ev, e):
    if type(e) is Thunk:
        e = e.force()
    return len(e) if type(e) is list else len(force_list(e, _LENGTH))


@builtin("head", ("list",))
def head(ev, xs):
    items = force_list(xs, arg_ctx(0, "head"))
    if not items:
        raise EvalError("'builtins.head' called on an empty list")
    x = items[0]
    return x.force() if type(x) is Thunk else x


@builtin("tail", ("list",))
def tail(ev, xs):
    items = force_list(xs, arg_ctx(0, "tail"))
    if not items:
        raise EvalError("'builtins.tail' called on an empty list")
    return items[1:]


@builtin("elemAt", ("xs", "n"))
def elem_at(ev, xs, n):
    items = force_list(xs, arg_ctx(0, "elemAt"))
    i = force_int(n, arg_ctx(1, "elemAt"))
    if i < 0 or i >= len(items):
        raise EvalError(f"list index {i} is out of bounds")
    return force(items[i])


@builtin("elem", ("x", "xs"))
def elem(ev, x, xs):
    v = force(x)
    return any(ops.equals(v, force(item)) for item in force_list(xs, arg_ctx(1, "elem")))


@builtin("map", ("f", "list"), global_=True)
def map_(ev, f, xs):
    items = force_list(xs, arg_ctx(1, "map"))
    if type(f) is Closure and f.code.formals is None:
        body, fenv = f.code.body, f.env
        return [Thunk(_apply_body, (body, fenv, item)) for item in items]
    return [Thunk(_apply, (ev, f, item)) for item in items]


@builtin("filter", ("f", "list"))
def filter_(ev, f, xs):
    items = force_list(xs, _FILTER_LIST)
    fn = force_function(f, _FILTER_FN)
    ctx = "while evaluating the return value of the filtering function passed to builtins.filter"
    out = []
    if type(fn) is Closure and fn.code.formals is None:
        # _results inlined: filter is called on short lists by the thousand.
        body, env = fn.code.body, fn.env
        for item in items:
            try:
                keep = body([env, item])
            except RecursionError:
                raise StackOverflow(OVERFLOW, None) from None
            except EvalError as e:
                errors.add_frame(e, None)
                raise
            if keep is True or (keep is not False and force_bool(keep, ctx)):
                out.append(item)
    else:
        for item, keep in zip(items, _results(ev, fn, items)):
            if keep is True or (keep is not False and force_bool(keep, ctx)):
                out.append(item)
    return items if len(out) == len(items) else out


@builtin("concatLists", ("lists",))
def concat_lists(ev, lists):
    out: list = []
    for xs in force_list(lists, arg_ctx(0, "concatLists")):
        out.extend(
            force_list(xs, "while evaluating a value of the list passed to builtins.concatLists")
        )
    return out


@builtin("concatMap", ("f", "list"))
def concat_map(ev, f, xs):
    fn = force_function(f, arg_ctx(0, "concatMap"))
    out: list = []
    for r in _results(ev, fn, force_list(xs, arg_ctx(1, "concatMap"))):
        out.extend(
            r
            if type(r) is list
            else force_list(
                r, "while evaluating the return value of the function passed to builtins.concatMap"
            )
        )
    return out


@builtin("foldl'", ("op", "nul", "list"))
def foldl_strict(ev, op, nul, xs):
    items = force_list(xs, arg_ctx(2, "foldl'"))
    if not items:
        return force(nul)
    fn = force_function(op, arg_ctx(0, "foldl'"))
    # As in Nix, the initial accumulator is passed to `op` unforced.
    acc = nul
    call2 = ev.call2
    for item in items:
        acc = call2(fn, acc, item)
    return acc


@builtin("genList", ("generator", "length"))
def gen_list(ev, gen, n):
    count = force_int(n, arg_ctx(1, "genList"))
    if count < 0:
        raise EvalError(f"cannot create list of size {count}")
    # As Nix, the function is not forced here; one already forced that is a
    # formals-free closure is run as map runs it (Evaluator.call's own path).
    f = gen.value if type(gen) is Thunk and gen.fn is None else gen
    if type(f) is Closure and f.code.formals is None:
        body, fenv = f.code.body, f.env
        return [Thunk(_apply_body, (body, fenv, i)) for i in range(count)]
    return [Thunk(_apply, (ev, gen, i)) for i in range(count)]


@builtin("all", ("pred", "list"))
def all_(ev, pred, xs):
    items = force_list(xs, arg_ctx(1, "all"))
    fn = force_function(pred, arg_ctx(0, "all"))
    ctx = "while evaluating the return value of the function passed to builtins.all"
    return all(r is True or force_bool(r, ctx) for r in _results(ev, fn, items))


@builtin("any", ("pred", "list"))
def any_(ev, pred, xs):
    items = force_list(xs, arg_ctx(1, "any"))
    fn = force_function(pred, arg_ctx(0, "any"))
    ctx = "while evaluating the return value of the function passed to builtins.any"
    return any(
        r is True or (r is not False and force_bool(r, ctx)) for r in _results(ev, fn, items)
    )


@builtin("sort", ("comparator", "list"))
def sort(ev, comparator, xs):
    items = force_list(xs, arg_ctx(1, "sort"))
    fn = force_function(comparator, arg_ctx(0, "sort"))
    # As Nix, every element is forced first, in order, even in a list of one
    # (where the comparator is never called).
    items = [force(item) for item in items]
    call2 = ev.call2
    ctx = "while evaluating the return value of the sorting function passed to builtins.sort"

    # Python's sort only asks "a < b?", so one comparator call per comparison
    # suffices, and the sort is stable, as Nix's std::stable_sort is.
    def cmp(a, b):
        return -1 if force_bool(call2(fn, a, b), ctx) else 0

    return sorted(items, key=functools.cmp_to_key(cmp))


@builtin("partition", ("pred", "list"))
def partition(ev, pred, xs):
    items = force_list(xs, arg_ctx(1, "partition"))
    fn = force_function(pred, arg_ctx(0, "partition"))
    right: list = []
    wrong: list = []
    ctx = "while evaluating the return value of the partition function passed to builtins.partition"
    for item in items:
        (right if force_bool(ev.call(fn, item), ctx) else wrong).append(item)
    return Attrs({"right": right, "wrong": wrong})


@builtin("groupBy", ("f", "list"))
def group_by(ev, f, xs):
    items = force_list(xs, arg_ctx(1, "groupBy"))
    fn = force_function(f, arg_ctx(0, "groupBy"))
    out = Attrs()
    ctx = "while evaluating the return value of the grouping function passed to builtins.groupBy"
    for item in items:
        key = force_string_text(ev.call(fn, item), ctx)
        out.setdefault(key, []).append(item)
    return out


_HASHABLE_KEYS = (str, int, float)  # Python equates 1 and 1.0, as Nix does


@builtin("genericClosure", ("args",))
def generic_closure(ev, args):
    a = force_attrs(args, arg_ctx(0, "genericClosure"))
    if "startSet" not in a:
        raise EvalError("attribute 'startSet' missing")
    if "operator" not in a:
        raise EvalError("attribute 'operator' missing")
    work = list(
        force_list(
            a["startSet"],
            "while evaluating the 'startSet' attribute passed as argument to builtins.genericClosure",
        )
    )
    op = force_function(
        a["operator"],
        "while evaluating the 'operator' attribute passed as argument to builtins.genericClosure",
    )
    seen: list = []
    seen_hashable: set = set()
    out = []
    i = 0
    while i < len(work):
        item = force_attrs(
            work[i],
            "while evaluating one of the elements generated by (or initially passed to) builtins.genericClosure",
        )
        i += 1
        if "key" not in item:
            raise EvalError("attribute 'key' required")
        key = force(item["key"])
        # Strings and numbers (the usual keys) are found in a set; other keys
        # compare with Nix's equality, one by one.
        if type(key) in _HASHABLE_KEYS:
            if key in seen_hashable:
                continue
            seen_hashable.add(key)
        else:
            if any(ops.equals(key, k) for k in seen):
                continue
            seen.append(key)
        out.append(item)
        work.extend(
            force_list(
                ev.call(op, item),
                "while evaluating the return value of the `operator` passed to builtins.genericClosure",
            )
        )
    return out
