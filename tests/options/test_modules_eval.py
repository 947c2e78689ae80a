"""Module-system table (the result of evalModules, renamed/aliased/removed options, the errors a
NixOS user reads (with files and lines), assertions and warnings, nested
lib.evalModules).

Same harness as test_modules.py (module_table.py, with the shared
expectations); the expectations follow nixpkgs' lib/modules.nix and
lib/types.nix.  test_modsys_differential.py runs these cases both ways.
"""

from __future__ import annotations

from module_table import NOVALUE, Err, run_case, table

EVAL_CASES = [
    # The result of evalModules.
    (
        "builtins.sort builtins.lessThan (builtins.attrNames r)",
        [],
        '[ "_module" "_type" "class" "config" "extendModules" "graph" "options" "type" ]',
    ),
    ("_type", [], '"configuration"'),
    ("type.description", ["declare-enable"], '"submodule"'),
    ("_module.check", ["declare-enable"], "true"),
    ("_module.args ? extendModules", [], "true"),
    (
        '(extendModules { modules = [ (fixtures + "/define-enable.dcl") ]; }).config.enable',
        ["declare-enable"],
        "true",
    ),
    ("config.enable", ["declare-enable"], "false"),
    (
        '(extendModules { modules = [ (fixtures + "/define-enable.dcl") ]; }).options.enable.files',
        ["declare-enable"],
        "[ " + '"' + "FIXTURES/define-enable.dcl" + '" ]',
    ),
    (
        '(extendModules { specialArgs.special = "ext"; modules = [ (fixtures + "/declare-special.dcl") ]; }).config.fromSpecial',
        [],
        '"ext"',
    ),
    (
        '((extendModules { modules = [ (fixtures + "/define-value-42.dcl") ]; }).extendModules { modules = [ (fixtures + "/define-value-force-50.dcl") ]; }).config.value',
        ["declare-int"],
        "50",
    ),
    ("config.extendedEnable", ["declare-enable", "declare-extend-result"], "true"),
    ("config.enable", ["declare-enable", "declare-extend-result"], "false"),
    # Renamed, aliased, removed, changed and merged options.
    ("config.c.d.e", ["renamed-nested", "define-a-b"], "1234"),
    ("config.c.d.e", ["renamed-nested", "define-a-b", "declare-warnings"], "1234"),
    (
        "config.warnings",
        ["renamed-nested", "define-a-b", "declare-warnings"],
        "[ \"The option `a.b' defined in `FIXTURES/define-a-b.dcl' has been renamed to `c.d.e'.\" ]",
    ),
    ("config.warnings", ["renamed-nested", "declare-warnings", "define-c-d-e"], "[ ]"),
    ("config.a.b", ["renamed-nested", "define-c-d-e"], "5"),
    ("options.a.b.visible", ["renamed-nested"], "false"),
    ("config.enable", ["declare-enable", "alias-with-priority"], "true"),
    ("config.enableAlias", ["declare-enable", "alias-with-priority"], "true"),
    ("config.enable", ["declare-enable", "alias-with-priority-can-override"], "false"),
    ("config.enableAlias", ["declare-enable", "alias-with-priority-can-override"], "false"),
    ("config.warnings", ["declare-enable", "alias-with-priority", "declare-warnings"], "[ ]"),
    (
        "map (a: a.message) (builtins.filter (a: !a.assertion) config.assertions)",
        ["declare-warnings", "removed-nested", "define-services-old"],
        "[ \"The option definition `services.old' in `FIXTURES/define-services-old.dcl' no longer has any effect; please remove it.\\nIt was unmaintained.\\n\" ]",
    ),
    (
        "builtins.filter (a: !a.assertion) config.assertions",
        ["declare-warnings", "removed-nested"],
        "[ ]",
    ),
    (
        "config.services.old",
        ["declare-warnings", "removed-nested", "define-services-old"],
        Err(
            r"The option `services\.old' can no longer be used since it's been removed\. It was unmaintained\."
        ),
    ),
    ("config.port", ["changed", "define-old-port", "declare-warnings"], '"8080"'),
    ("config.port", ["changed", "declare-warnings"], '"none"'),
    ("config.combined", ["merged", "define-first-second", "declare-warnings"], '"1+2"'),
    # Undefined old options read as "_mkMergedOptionModule" in the merge function.
    (
        "config.combined",
        ["merged", "define-first-only", "declare-warnings"],
        '"1+_mkMergedOptionModule"',
    ),
    ("config.combined", ["merged", "declare-warnings"], '"unset"'),
    ("builtins.length config.warnings", ["merged", "define-first-second", "declare-warnings"], "2"),
    ("builtins.length config.warnings", ["merged", "define-first-only", "declare-warnings"], "1"),
    ("config.derivedText", ["declare-derived-config"], '"derived from src"'),
    ("options.derivedText.highestPrio", ["declare-derived-config"], "1500"),
    ("config.derivedText", ["declare-derived-config", "define-derived-text-plain"], '"plain"'),
    (
        "config.derivedText",
        ["declare-derived-config", "define-source-force"],
        '"derived from forced"',
    ),
    ("options.derivedText.highestPrio", ["declare-derived-config", "define-source-force"], "50"),
    # The errors of issue 4, with files and lines.
    (
        "config.enable",
        ["declare-enable", "define-enable-line3"],
        Err(
            r"A definition for option `enable' is not of type `boolean'\. Definition values:\n\s*- In `.*define-enable-line3\.dcl:3': \"yes\""
        ),
    ),
    (
        "config.value",
        ["declare-int", "define-value-42-line2", "define-value-43"],
        Err(
            r"The option `value' has conflicting definition values:\n\s*- In `.*define-value-42-line2\.dcl:2': 42\n\s*- In `.*define-value-43\.dcl(:1)?': 43"
        ),
    ),
    (
        "config.services.web.port",
        ["declare-nested", "define-nested-typo"],
        Err(
            r"The option `services\.web\.prot' does not exist\. Definition values:\n\s*- In `.*define-nested-typo\.dcl(:1)?': 1\n\s*Did you mean `services\.web\.port'\?"
        ),
    ),
    (
        "config.services.web.enable",
        ["declare-nested", "define-nested-service-typo"],
        Err(
            r"The option `services\.wbe' does not exist\. Definition values:\n\s*- In `.*define-nested-service-typo\.dcl(.|\n)*Did you mean `services\.web'\?"
        ),
    ),
    ("config.enable", ["declare-enable", "define-enable-throw"], Err(r"oops")),
    (
        "config.enable",
        ["define-enable-throw"],
        Err(
            r"The option `enable' does not exist\. Definition values:\n\s*- In `.*define-enable-throw\.dcl"
        ),
    ),
    (
        "config.x",
        ["declare-cycle-three"],
        Err(
            r"while evaluating the option `x':\n(.|\n)*while evaluating the option `y':\n(.|\n)*while evaluating the option `z':\n(.|\n)*infinite recursion encountered"
        ),
    ),
    (
        "config.entries",
        ["declare-list-of-sub-bad"],
        Err(
            r"A definition for option `entries\.\"\[definition 1-entry 2\]\"\.n' is not of type `signed integer'\. Definition values:\n\s*- In `.*declare-list-of-sub-bad\.dcl.*': \"two\""
        ),
    ),
    (
        "config.holder.needed",
        ["declare-used-no-default-sub"],
        Err(r"The option `holder\.needed' " + NOVALUE),
    ),
    (
        "config.value",
        ["declare-int"],
        Err(r"The option `value' was accessed but has no value defined\. Try setting the option\."),
    ),
    # assertions and warnings are options; every failure is visible.
    (
        "map (a: a.message) (builtins.filter (a: !a.assertion) config.assertions)",
        ["declare-enable", "declare-warnings", "define-warnings"],
        '[ "needs enable" "second failure" ]',
    ),
    (
        "map (a: a.message) (builtins.filter (a: !a.assertion) config.assertions)",
        ["declare-enable", "declare-warnings", "define-warnings", "define-enable"],
        '[ "second failure" ]',
    ),
    (
        "config.warnings",
        ["declare-enable", "declare-warnings", "define-warnings"],
        '[ "enable is off" "first warning" ]',
    ),
    (
        "config.warnings",
        ["declare-enable", "declare-warnings", "define-warnings", "define-enable"],
        '[ "first warning" ]',
    ),
    (
        "builtins.length config.assertions",
        ["declare-enable", "declare-warnings", "define-warnings"],
        "3",
    ),
    # lib.evalModules inside a module.
    ("config.innerEnable", ["declare-inner-eval"], "true"),
    ("config.innerEnable", ["declare-inner-eval", "define-outer-wants-false"], "false"),
    ("config.innerOptionNames", ["declare-inner-eval"], '[ "_module" "enable" ]'),
    (
        "config.innerError",
        ["declare-inner-eval-prefix"],
        Err(r"The option `inner\.enabel' does not exist"),
    ),
    ("config.innerLoc", ["declare-inner-eval-prefix"], '[ "inner" "enable" ]'),
]


@table(EVAL_CASES)
def test_table_modules_eval(path, modules, expected, args):
    run_case(path, modules, expected, args)
