"""What `declos options` and `declos docs` do, callable without the CLI.

Each function evaluates the configuration (`configuration.evaluate_configuration`)
and returns the text to print; errors in the user's input are `DeclosError`s
for the CLI to render (exit 1).  All forcing happens on the deep stack.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import attrs

from declos.eval.evaluator import Evaluator
from declos.eval.values import force
from declos.options.configuration import evaluate_configuration, on_deep_stack
from declos.options.explain import explain_definitions, explain_json, format_explain
from declos.options.introspect import (
    OptionInfo,
    UnknownOptionError,
    collect_options,
    select_options,
)
from declos.options.show import format_options, option_json, option_value, value_failed


@attrs.frozen
class Report:
    """The text to print, and the options whose values could not be evaluated
    (the command then exits 1, after printing everything else)."""

    text: str
    failed: tuple[str, ...] = ()


def options_report(
    config_path: str,
    names: Sequence[str] = (),
    as_json: bool = False,
    include_internal: bool = False,
    explain: bool = False,
    search_path: Sequence[str] = (),
    evaluator: Evaluator | None = None,
) -> Report:
    """What `declos options CONFIG [OPTION...] [--json] [--all] [--explain]` prints.

    Without OPTION, the module system's own `_module.*` options (present in
    every configuration, with large values) are left out unless
    `include_internal`; `declos docs` keeps `_module.args`, as NixOS' manual does.
    """
    ev, result = evaluate_configuration(config_path, search_path, evaluator=evaluator)

    def run() -> Report:
        # Named options are found even when hidden: asking for one is explicit.
        infos = collect_options(ev, result["options"], include_internal or bool(names))
        if not names and not include_internal:
            infos = [i for i in infos if i.loc[:1] != ("_module",)]
        chosen = select_options(ev, result["options"], infos, list(names))
        if explain:
            # Before anything forces the values: mkIf conditions not yet
            # evaluated can still be traced back to their source text.
            text = explain_options(chosen, as_json)
        elif as_json:
            text = json.dumps([option_json(i) for i in chosen], indent=2, sort_keys=True) + "\n"
        else:
            text = format_options(chosen)
        return Report(text, tuple(i.name for i in chosen if value_failed(i)))

    return on_deep_stack(run)


def explain_options(chosen: Sequence[OptionInfo], as_json: bool = False) -> str:
    """The `--explain` text (or JSON) of options found by `select_options`."""
    reports, texts = [], []
    for info in chosen:
        if info.error is not None:
            raise UnknownOptionError(f"cannot explain `{info.name}': {info.error}")
        if info.missing is not None:
            raise UnknownOptionError(f"cannot explain `{info.name}': {info.missing}")
        if info.template or info.option is None:
            raise UnknownOptionError(
                f"cannot explain `{info.name}': it is a template, one option per entry of its "
                "parent; name an entry (`users.alice.home', not `users.<name>.home')"
            )
        if "rawDefinitions" not in info.option:
            # A value the walk reached without its definitions (resolve.py).
            raise UnknownOptionError(f"cannot explain `{info.name}': {info.note}")
        leaves = explain_definitions(info.option)
        value, error = option_value(info)
        if as_json:
            reports.append(explain_json(info.name, value, error, leaves))
        else:
            texts.append(format_explain(info.name, value, error, leaves))
    if as_json:
        return json.dumps(reports, indent=2, sort_keys=True) + "\n"
    return "\n".join(texts)


def docs_report(
    config_path: str,
    out_dir: str,
    search_path: Sequence[str] = (),
    evaluator: Evaluator | None = None,
) -> list[str]:
    """Write the option manual for CONFIG to OUT_DIR; return the files written."""
    from declos.options.docs import write_docs

    ev, result = evaluate_configuration(config_path, search_path, evaluator=evaluator)

    def run() -> list[str]:
        infos = collect_options(ev, force(result["options"]))
        return write_docs(infos, out_dir, title=f"declos options: {config_path}")

    return on_deep_stack(run)
