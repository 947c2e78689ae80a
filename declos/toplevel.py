"""CONFIG to a built toplevel with its warnings: the one path that
`declos build CONFIG`, `declos switch`/`test`/`boot` (and so `declos
deploy`, whose hosts run `declos switch TOPLEVEL`) take.

The glue between the module system (`declos.options.configuration`), the
store (`declos.store.realise`: evaluate → build) and `declos.system`, which
only ever sees the resulting store path.  The evaluation cache
(`declos.evalcache`) lets a switch whose inputs did not change skip parsing
and evaluating altogether.  Warnings come from one place whichever way the
toplevel was had (evaluated, cached or given built): its manifest.json's
`warnings` (the configuration's `config.warnings`) and its `checks/`.

Example:
    out = build_toplevel("examples/minimal/config.dcl", Store(state_dir))
    out.toplevel, out.cached, out.warnings, out.checks, out.messages()
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import attrs

from declos import evalcache
from declos.progress import Ticker, quiet
from declos.store.graph import BuildEvent, BuildResult
from declos.store.realise import BuildRequest, collect_derivations, realise
from declos.store.store import Store

if TYPE_CHECKING:
    from declos.store.cache import Fetched

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
class ToplevelBuild:
    """How to evaluate and build a toplevel (the flags of `build` and `switch`)."""

    search_path: tuple[str, ...] = ()
    jobs: int | None = None
    use_cache: bool = True  # the evaluation cache (switch's --no-eval-cache turns it off)
    unsafe_builders: bool = False
    substituters: tuple[str, ...] = ()  # binary caches besides <state>/declos.conf's
    substitute: bool = True
    out_link: str | None = None  # `declos build`'s result link
    keep_going: bool = False
    timeout: float | None = None
    accept_built: bool = False  # CONFIG may be a toplevel already in the store


@attrs.frozen
class ToplevelOutcome:
    toplevel: str
    cached: bool
    config_file: str | None  # None: CONFIG was a toplevel already built
    config_hash: str | None
    warnings: tuple[str, ...] = ()
    checks: tuple[CheckStatus, ...] = ()
    #: The failed build, when `build_toplevel(check=False)` did not raise it.
    failed: BuildResult | None = None

    def messages(self) -> tuple[str, ...]:
        """What to warn about: the configuration's warnings, then the checks not run."""
        return self.warnings + tuple(c.describe() for c in self.checks if c.not_run is not None)


def read_checks(toplevel: str) -> tuple[CheckStatus, ...]:
    """The statuses of the build-time checks of a built toplevel, by name
    (none for a toplevel built before checks existed).

    A status is read only from a regular file in the toplevel's own store
    (a check's output): a link a hostile check made to a file elsewhere
    (read as root by `declos switch`) counts as passed, as any output
    that is not a status file does."""
    base = os.path.join(toplevel, "checks")
    try:
        names = sorted(os.listdir(base))
    except OSError:
        return ()
    store = os.path.dirname(os.path.realpath(toplevel)) + os.sep
    found = []
    for name in names:
        path = os.path.realpath(os.path.join(base, name))
        status = "passed"
        if path.startswith(store) and os.path.isfile(path) and os.path.getsize(path) <= _STATUS_MAX:
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


def _outcome(top: str, cached: bool, config_file: str | None, chash: str | None) -> ToplevelOutcome:
    return ToplevelOutcome(top, cached, config_file, chash, _warnings(top), read_checks(top))


class BuildTicker:
    """Build events passed on to `inner` (the terminal's status line), and a
    `Ticker` for the build phase from its first event: plain lines when
    stderr is not a terminal and the build is long; nothing with `-q`."""

    def __init__(self, inner: Callable[[BuildEvent], None] | None = None) -> None:
        self.inner = inner
        self.ticker: Ticker | None = None
        self.last: BuildEvent | None = None

    def __call__(self, event: BuildEvent) -> None:
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
    how: ToplevelBuild = ToplevelBuild(),
    on_event: Callable[[BuildEvent], None] | None = None,
    on_substituted: Callable[[Iterable[Fetched]], None] | None = None,
    check: bool = True,
) -> ToplevelOutcome:
    """Evaluate CONFIG with the module library and build its toplevel (or,
    with `how.accept_built`, take CONFIG as a toplevel already in `store`).

    `on_event` sees the build's events, `on_substituted` what came from
    binary caches.  A failed build raises its first failure, or with `check`
    False is returned as `outcome.failed` (`declos build` reports each).
    Everything the build uses (sources, `.drv` files, outputs, a cached
    toplevel) is a temporary root of `store` from the moment it is found
    or made: keep `store` open until the toplevel is rooted otherwise (a
    generation registered, its activation over)."""
    from declos.eval.instantiate import select_attr_path
    from declos.eval.values import Attrs
    from declos.options.configuration import config_file_path, evaluate_configuration
    from declos.store.builtins import evaluator_with_store

    if how.accept_built and (built := _built(config, store)) is not None:
        return built
    config_file = config_file_path(config)
    chash = config_hash(config_file)
    if how.use_cache:

        def keep(path: str) -> bool:  # valid, and a temporary root from now on
            return store.keep_if_valid([path])

        hit = evalcache.lookup(store.state_dir, config_file, how.search_path, keep)
        if hit is not None:
            return _outcome(hit["toplevel"], True, config_file, chash)
    seen = {}

    def evaluate(req, eval_store):
        ev = evaluator_with_store(eval_store, how.search_path)
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
        search_path=how.search_path,
        out_link=how.out_link,
        jobs=how.jobs,
        keep_going=how.keep_going,
        timeout=how.timeout,
        unsafe_builders=how.unsafe_builders,
        substituters=how.substituters,  # binary caches (see realise)
        substitute=how.substitute,
    )
    try:
        outcome = realise(req, store, on_event=building, evaluate=evaluate)
    finally:
        building.stop()
    if on_substituted is not None:
        on_substituted(outcome.substituted)
    if outcome.result.failed:
        if check:
            outcome.result.raise_for_failure()
        top = outcome.targets[0].out_path
        return ToplevelOutcome(top, False, config_file, chash, failed=outcome.result)
    top = outcome.out_paths[0]
    if how.use_cache:
        evalcache.record(
            store.state_dir, config_file, how.search_path, seen["ev"].reads, {"toplevel": top}
        )
    return _outcome(top, False, config_file, chash)


def _built(config: str, store: Store) -> ToplevelOutcome | None:
    """CONFIG as a toplevel already in the store (`declos switch
    /var/lib/declos/store/…-declos-system`, what `declos deploy` runs on a
    host), else None (it is a configuration to evaluate)."""
    from declos.system.transaction import SwitchFailed

    real = os.path.realpath(config)
    if not os.path.isfile(os.path.join(real, "manifest.json")):
        return None
    if os.path.dirname(real) != store.store_dir:
        if os.path.basename(os.path.dirname(real)) == "store":
            raise SwitchFailed(
                f"'{config}' is a toplevel of another store ({os.path.dirname(real)}); this "
                f"state directory's store is {store.store_dir}: give --state-dir "
                f"{os.path.dirname(os.path.dirname(real))}"
            )
        return None
    if not store.is_valid(real):
        raise SwitchFailed(f"'{config}' is not a valid path of {store.store_dir}")
    return _outcome(real, False, None, None)
