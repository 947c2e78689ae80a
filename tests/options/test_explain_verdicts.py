"""`--explain`'s verdicts agree with the module system: over the priority
cases of the module table (mkOverride, mkDefault, mkForce, mkOptionDefault,
mkIf, mkMerge and mkOrder on an option, and mkForce with submodules), the
definitions explain calls "used", in the order of their positions, are the
option's own `definitionsWithLocations` (file and value), and the winning
priority it names is the option's `highestPrio`."""

from __future__ import annotations

import os

from module_table import FIXTURES, params, table
from test_modules_force_freeform import FORCE_FREEFORM_CASES
from test_modules_priorities import PRIORITY_CASES

from declos.diagnostics import DeclosError, Source
from declos.eval.evaluator import Evaluator
from declos.eval.values import Attrs, force
from declos.options.configuration import on_deep_stack
from declos.options.explain import explain_definitions
from declos.options.render import try_render

CASES = PRIORITY_CASES + [c for c in FORCE_FREEFORM_CASES if c[0].startswith("config.")]


def option_of(path: str, modules: list[str], args: str) -> Attrs | None:
    """The option the case reads (the longest prefix of its path that is an
    option in `options`), or None when it reads none."""
    parts = path.split(".")[1:]
    mods = " ".join(os.path.join(FIXTURES, m + ".dcl") for m in modules)
    for k in range(len(parts), 0, -1):
        name = ".".join(parts[:k])
        text = (
            f"let lib = import <declos/lib>; fixtures = {FIXTURES}; "
            f"r = lib.evalModules {{ modules = [ {mods} ]; {args} }}; "
            f"o = r.options.{name} or null; in if lib.isOption o then o else null"
        )
        try:
            found = force(Evaluator().eval_source(Source(None, text)))
        except DeclosError:
            return None
        if found is not None:
            return found
    return None


def shown(v) -> str:
    text, error = try_render(v)
    return text if error is None else f"«error: {error}»"


def compare(path: str, modules: list[str], args: str) -> bool:
    option = option_of(path, modules, args)
    if option is None:
        return False
    try:
        final = [force(d) for d in force(option["definitionsWithLocations"])]
        highest = force(option["highestPrio"])
    except DeclosError:
        return False  # the module system fails too: nothing to agree with
    leaves = explain_definitions(option)
    used = sorted(
        (x for x in leaves if x.verdict.startswith("used")), key=lambda x: x.position or 0
    )
    assert [(x.file, shown(x.value)) for x in used] == [
        (str(force(d["file"])), shown(d["value"])) for d in final
    ]
    assert {x.priority for x in used} <= {highest}
    assert all(not x.verdict.startswith("used") for x in leaves if x.priority != highest)
    return True


@table(CASES)
def test_explain_uses_what_the_module_system_uses(path, modules, expected, args):
    on_deep_stack(compare, path, modules, args)


def test_most_priority_cases_are_compared():
    compared = [on_deep_stack(compare, p, m, a) for p, m, _e, a in params(CASES)]
    assert sum(compared) >= len(compared) * 2 // 3, (sum(compared), len(compared))
