"""What `declos build` does, as `nix-build` does it, callable without the CLI.

Owns: where the state directory is (`--state-dir`, `DECLOS_STATE_DIR`,
`$XDG_DATA_HOME/declos`, `~/.local/share/declos`); evaluating a file with
the store glue installed; collecting the derivations found at an attribute
path (a derivation, or a list or attribute set of them, as Nix's
`getDerivations`); building them with the graph; and the `result` links,
named as nix-build names them (`result`, `result-2`, `result-dev`) and
registered as indirect GC roots.  It must not print: progress goes to the
`on_event` callback.

Example:
    req = BuildRequest(file="default.dcl", attr_paths=("hello",))
    outcome = realise(req, Store(default_state_dir()))
    outcome.out_paths    # ["<state>/store/...-hello"]
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from declos.eval.errors import EvalError
from declos.eval.instantiate import auto_call, evaluate_input, select_attr_path
from declos.eval.ops import is_derivation
from declos.eval.values import Attrs, Value, force, settle, string_text
from declos.store.builders import DEFAULT_TIMEOUT
from declos.store.builtins import EvalStore, evaluator_with_store
from declos.store.gc import add_indirect_root
from declos.store.graph import BuildEvent, BuildResult, build
from declos.store.store import Store

if TYPE_CHECKING:
    from declos.eval.evaluator import Evaluator


def default_state_dir(environ: dict | None = None) -> str:
    """`DECLOS_STATE_DIR`, else `$XDG_DATA_HOME/declos`, else `~/.local/share/declos`."""
    env = os.environ if environ is None else environ
    if env.get("DECLOS_STATE_DIR"):
        return os.path.abspath(env["DECLOS_STATE_DIR"])
    data = env.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(os.path.abspath(data), "declos")


def state_dir_of(arg: str | None) -> str:
    return os.path.abspath(arg) if arg else default_state_dir()


@attrs.frozen
class BuildRequest:
    file: str | None = None
    expr: str | None = None
    attr_paths: tuple[str, ...] = ()
    args: tuple[tuple[str, str, bool], ...] = ()  # (name, text, is_expr)
    search_path: tuple[str, ...] = ()
    out_link: str | None = "result"  # None: --no-out-link
    jobs: int | None = None
    keep_going: bool = False
    timeout: float | None = None
    unsafe_builders: bool = False  # run process builders even without a sandbox
    # Binary caches besides `substituters` of <state>/declos.conf (`--substituter`).
    substituters: tuple[str, ...] = ()
    substitute: bool = True  # False: build everything here (`--no-substitute`)


@attrs.frozen
class Target:
    """One derivation to build: its `.drv`, the output asked for, its path."""

    drv_path: str
    output: str
    out_path: str


@attrs.frozen
class BuildOutcome:
    targets: tuple[Target, ...]
    result: BuildResult
    links: tuple[str, ...] = ()
    substituted: tuple = ()  # cache.Fetched: what came from binary caches

    @property
    def out_paths(self) -> list[str]:
        return [t.out_path for t in self.targets if t.drv_path in self.result.outputs]


def _target(v: Attrs) -> Target:
    def text(name: str) -> str:
        if name not in v:
            raise EvalError(f"derivation lacks a '{name}' attribute")
        return string_text(force(v[name]))

    output = text("outputName") if "outputName" in v else "out"
    return Target(text("drvPath"), output, text("outPath"))


def collect_derivations(ev: Evaluator, value: Value, auto_args: Attrs) -> list[Target]:
    """Nix's `getDerivations`: a derivation; a list of them (nested lists
    too); an attribute set's derivations by name, descending into sets
    marked `recurseForDerivations = true`.  Functions are auto-called."""
    found: list[Target] = []
    seen: set[str] = set()

    def add(t: Target) -> None:
        key = f"{t.drv_path}!{t.output}"
        if key not in seen:
            seen.add(key)
            found.append(t)

    def walk(v: Value, top: bool) -> None:
        v = settle(auto_call(ev, force(v), auto_args))
        if is_derivation(v):
            add(_target(v))
        elif type(v) is list:
            for item in v:
                walk(item, False)
        elif type(v) is Attrs:
            if not top and not _recurse(v):
                return
            for name in sorted(v):
                item = settle(auto_call(ev, force(v[name]), auto_args))
                if is_derivation(item):
                    add(_target(item))
                elif type(item) is Attrs and _recurse(item):
                    walk(item, False)
        elif top:
            raise EvalError(
                "expression does not evaluate to a derivation (or a set or list of those)"
            )

    walk(value, True)
    return found


def _recurse(v: Attrs) -> bool:
    return "recurseForDerivations" in v and force(v["recurseForDerivations"]) is True


def evaluate_targets(req: BuildRequest, store: EvalStore) -> list[Target]:
    """Evaluate `req` with `store` installed and collect its derivations
    (writing their `.drv` files when `store` writes)."""
    ev = evaluator_with_store(store, req.search_path)
    value, auto_args = evaluate_input(ev, req.file, req.expr, req.args)
    targets: dict[Target, None] = {}  # ordered, without duplicates
    for path in req.attr_paths or ("",):
        v = select_attr_path(ev, value, path, auto_args)
        for t in collect_derivations(ev, v, auto_args):
            targets.setdefault(t, None)
    return list(targets)


def link_names(out_link: str, targets: list[Target]) -> list[str]:
    """nix-build's names: `result` for the first derivation, `result-2` for
    the second, with `-<output>` for any output but `out`."""
    index: dict[str, int] = {}
    names = []
    for t in targets:
        k = index.setdefault(t.drv_path, len(index))
        name = out_link if k == 0 else f"{out_link}-{k + 1}"
        if t.output != "out":
            name += f"-{t.output}"
        names.append(name)
    return names


def realise(
    req: BuildRequest,
    store: Store,
    on_event: Callable[[BuildEvent], None] | None = None,
    evaluate: Callable[[BuildRequest, EvalStore], list[Target]] | None = None,
) -> BuildOutcome:
    """Evaluate, write `.drv`s, build what is missing, make the result links.

    Evaluation runs on a deep-stack thread; building does not need one.
    Failed builds are in `outcome.result.failed` (links are made only for
    what was built)."""
    from declos.eval.deep import run_deep

    sub = None  # before evaluating: a bad declos.conf fails at once
    # Without substituters given or a `<state>/declos.conf` (cache_config.CONFIG_NAME)
    # there is no binary cache: the cache modules (http.client, ssl, lzma: ~30 ms
    # to import) are not needed.
    configured = req.substituters or os.path.lexists(os.path.join(store.state_dir, "declos.conf"))
    if req.substitute and configured:
        from declos.store.cache import substituter_for

        sub = substituter_for(store, req.substituters)
    eval_store = EvalStore(store)
    targets = run_deep(evaluate or evaluate_targets, req, eval_store)
    result = build(
        store,
        sorted({t.drv_path for t in targets}),
        jobs=req.jobs,
        keep_going=req.keep_going,
        derivations=eval_store.derivations,
        on_event=on_event,
        unsafe=req.unsafe_builders,
        substitute=sub.substitute if sub is not None else None,
        timeout=DEFAULT_TIMEOUT if req.timeout is None else req.timeout,
    )
    links = []
    if req.out_link is not None:
        for t, name in zip(targets, link_names(req.out_link, targets), strict=True):
            if t.drv_path in result.outputs:
                links.append(add_indirect_root(store, t.out_path, name))
    fetched = tuple(sub.fetched) if sub is not None else ()
    return BuildOutcome(tuple(targets), result, tuple(links), fetched)
