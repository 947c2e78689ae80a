"""Evaluating a system configuration and building its toplevel, for `declos switch`.

The glue between the module system (`declos.options.configuration`), the
store (`declos.store.realise`: evaluate → build, as `declos build` does) and
`declos.system`, which only ever sees the resulting store path.  The
evaluation cache (`declos.evalcache`) lets a switch whose inputs did not
change skip parsing and evaluating altogether.

Example:
    out = build_toplevel("examples/minimal/config.dcl", Store(state_dir))
    out.toplevel, out.cached, out.warnings, out.checks
"""

from __future__ import annotations

import hashlib
import json
import os

import attrs

from declos import evalcache
from declos.progress import Ticker, quiet
from declos.store.realise import BuildRequest, collect_derivations, realise
from declos.store.store import Store

TOPLEVEL_ATTR = "config.system.build.toplevel"
#: A check's status longer than this is not a status line (a NixOS-style
#: check may output anything); such a check passed by being built.
_STATUS_MAX = 4096


@attrs.frozen
class CheckStatus:
    """One of `system.checks`, as `<toplevel>/checks/<name>` says: "passed",
    or "not run: REASON" when its program was missing or could not run."""

    name: str
    status: str

    @property
    def not_run(self) -> str | None:
        """Why the check did not run, or None if it did."""
        if self.status.startswith("not run:"):
            return self.status[len("not run:") :].strip()
        return None

    def describe(self) -> str:
        return f"check {self.name} not run: {self.not_run}"


@attrs.frozen
class ToplevelOutcome:
    toplevel: str
    cached: bool
    config_file: str
    config_hash: str
    warnings: tuple[str, ...] = ()
    checks: tuple[CheckStatus, ...] = ()


def read_checks(toplevel: str) -> tuple[CheckStatus, ...]:
    """The statuses of the build-time checks of a built toplevel, by name
    (none for a toplevel built before checks existed)."""
    base = os.path.join(toplevel, "checks")
    try:
        names = sorted(os.listdir(base))
    except OSError:
        return ()
    found = []
    for name in names:
        path = os.path.join(base, name)
        status = "passed"
        if os.path.isfile(path) and os.path.getsize(path) <= _STATUS_MAX:
            with open(path, encoding="utf-8", errors="replace") as f:
                status = f.readline().strip() or "passed"
        found.append(CheckStatus(name, status))
    return tuple(found)


def config_hash(path: str) -> str:
    with open(path, "rb") as f:
        return "sha256:" + hashlib.sha256(f.read()).hexdigest()


def _warnings(toplevel: str) -> tuple[str, ...]:
    try:
        with open(os.path.join(toplevel, "manifest.json")) as f:
            return tuple(json.load(f).get("warnings", []))
    except (OSError, ValueError):
        return ()


class BuildTicker:
    """Build events passed on to `inner` (the terminal's status line), and a
    `Ticker` for the build phase from its first event: plain lines when
    stderr is not a terminal and the build is long; nothing with `-q`."""

    def __init__(self, inner=None):
        self.inner = inner
        self.ticker: Ticker | None = None
        self.last = None

    def __call__(self, event) -> None:
        self.last = event
        if self.ticker is None:
            self.ticker = Ticker("building", self.describe)
            if not self.ticker.tty:  # on a terminal, `inner` draws the line
                self.ticker.__enter__()
        if self.inner is not None and not quiet():
            self.inner(event)

    def describe(self) -> str:
        e = self.last
        return "" if e is None else f"{e.done}/{e.total} derivations built, {e.running} running"

    def stop(self) -> None:
        if self.ticker is not None:
            self.ticker.stop()


def build_toplevel(
    config: str,
    store: Store,
    search_path=(),
    jobs: int | None = None,
    use_cache: bool = True,
    on_event=None,
    unsafe_builders: bool = False,
    substituters: tuple[str, ...] = (),
    substitute: bool = True,
    on_substituted=None,
) -> ToplevelOutcome:
    """Evaluate CONFIG with the module library and build its toplevel.

    Everything the build uses (sources, `.drv` files, outputs, a cached
    toplevel) is a temporary root of `store` from the moment it is found
    or made: keep `store` open until the toplevel is rooted otherwise (a
    generation registered, its activation over)."""
    from declos.eval.instantiate import select_attr_path
    from declos.eval.values import Attrs
    from declos.options.configuration import _check_config_path, evaluate_configuration
    from declos.store.builtins import evaluator_with_store

    config_file = _check_config_path(config)
    chash = config_hash(config_file)
    if use_cache:

        def keep(path: str) -> bool:  # valid, and a temporary root from now on
            return store.keep_if_valid([path])

        hit = evalcache.lookup(store.state_dir, config_file, search_path, keep)
        if hit is not None:
            top = hit["toplevel"]
            return ToplevelOutcome(top, True, config_file, chash, _warnings(top), read_checks(top))
    seen = {}

    def evaluate(req, eval_store):
        ev = evaluator_with_store(eval_store, search_path)
        evalcache.track_store_copies(ev)
        seen["ev"] = ev
        with Ticker(f"evaluating {config}", ev.stats.describe):
            _, result = evaluate_configuration(config_file, evaluator=ev)
            value = select_attr_path(ev, result, TOPLEVEL_ATTR, Attrs())
            return collect_derivations(ev, value, Attrs())

    building = BuildTicker(on_event)

    req = BuildRequest(
        file=config_file,
        attr_paths=(TOPLEVEL_ATTR,),
        out_link=None,
        jobs=jobs,
        unsafe_builders=unsafe_builders,
        substituters=substituters,  # binary caches (see realise)
        substitute=substitute,
    )
    try:
        outcome = realise(req, store, on_event=building, evaluate=evaluate)
    finally:
        building.stop()
    if on_substituted is not None:
        on_substituted(outcome.substituted)
    outcome.result.raise_for_failure()
    top = outcome.out_paths[0]
    if use_cache:
        evalcache.record(
            store.state_dir, config_file, search_path, seen["ev"].reads, {"toplevel": top}
        )
    return ToplevelOutcome(top, False, config_file, chash, _warnings(top), read_checks(top))
