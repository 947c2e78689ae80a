"""Module-system table (priorities (mkOverride, mkDefault, mkForce, mkOptionDefault) and properties
(mkIf, mkMerge, mkOrder) pushed down through attribute sets).

Same harness as test_modules.py (module_table.py, with the shared
expectations); the expectations follow nixpkgs' lib/modules.nix and
lib/types.nix.  test_modsys_differential.py runs these cases both ways.
"""

from __future__ import annotations

from module_table import NOVALUE, Err, run_case, table

PRIORITY_CASES = [
    ("config.value", ["declare-int", "define-value-default-2", "define-value-override-900"], "900"),
    ("config.value", ["declare-int", "define-value-override-900", "define-value-42"], "42"),
    (
        "config.value",
        ["declare-int", "define-value-option-default-3", "define-value-default-2"],
        "2",
    ),
    ("config.value", ["declare-int", "define-value-option-default-3"], "3"),
    (
        "config.value",
        ["declare-int-default-7", "define-value-option-default-8"],
        Err(
            r"The option `value' has conflicting definition values:\n\s*- In `.*declare-int-default-7\.dcl.*': 7\n\s*- In `.*define-value-option-default-8\.dcl.*': 8"
        ),
    ),
    ("config.value", ["declare-int-default-7", "define-value-default-2"], "2"),
    ("config.value", ["declare-int", "define-value-force-50", "define-value-vm-10"], "10"),
    ("config.value", ["declare-int", "define-value-force-50", "define-value-image-60"], "50"),
    ("config.value", ["declare-int", "define-value-image-60", "define-value-42"], "60"),
    (
        "config.value",
        ["declare-int", "define-value-default-1", "define-value-default-2"],
        Err(r"The option `value' has conflicting definition values"),
    ),
    # mkOverride around mkIf: the mkIf is not discharged again (as nixpkgs).
    (
        "config.value",
        ["declare-int", "define-value-force-if-false", "define-value-42"],
        Err(r"A definition for option `value' is not of type `signed integer'"),
    ),
    ("config.value", ["declare-int", "define-value-if-false-throw", "define-value-42"], "42"),
    (
        "config.value",
        ["declare-int", "define-value-if-throw-cond", "define-value-42"],
        Err(r"condition evaluated"),
    ),
    ("config.value", ["declare-int", "define-value-merge-nested"], "5"),
    ("config.value", ["declare-int", "define-value-merge-nested", "define-value-42"], "42"),
    (
        "config.value",
        ["declare-int", "define-value-if-string-cond"],
        Err(r"mkIf called with a non-Boolean condition"),
    ),
    (
        "config.value",
        ["declare-int", "define-value-if-false-throw"],
        Err(r"The option `value' " + NOVALUE),
    ),
    (
        "config.value",
        ["declare-int", "define-value-force-if-false"],
        Err(r"is not of type `signed integer'(.|\n)*_type = \"if\""),
    ),
    (
        "config.value",
        ["declare-int", "declare-enable", "define-if-reads-other-option", "define-enable"],
        "99",
    ),
    (
        "config.value",
        ["declare-int-default-7", "declare-enable", "define-if-reads-other-option"],
        "7",
    ),
    (
        "config.enable",
        ["declare-int", "declare-enable", "define-enable-from-value", "define-value-42"],
        "true",
    ),
    (
        "options.value.highestPrio",
        ["declare-int", "define-value-force-50", "define-value-42"],
        "50",
    ),
    ("options.value.highestPrio", ["declare-int-default-7"], "1500"),
    ("options.value.highestPrio", ["declare-int", "define-value-42"], "100"),
    ("options.value.highestPrio", ["declare-int", "define-value-override-900"], "900"),
    (
        "options.value.highestPrio",
        ["declare-int", "define-value-vm-10", "define-value-force-50"],
        "10",
    ),
    ("options.value.highestPrio", ["declare-int"], "9999"),
    # Properties pushed down through attribute sets.
    (
        "config.services.web.port",
        ["declare-nested", "define-nested-force-attrs", "define-nested-port"],
        "1",
    ),
    (
        "config.services.web.enable",
        ["declare-nested", "define-nested-force-attrs", "define-nested-enable"],
        "true",
    ),
    ("config.services.web.port", ["declare-nested", "define-nested-if-attrs"], "8080"),
    (
        "config.services.web.port",
        ["declare-nested", "define-nested-if-attrs", "define-nested-enable"],
        "2",
    ),
    (
        "config.services.web",
        ["declare-nested", "define-nested-merge-attrs"],
        "{ enable = true; port = 3; }",
    ),
    (
        "config.services",
        ["declare-nested", "define-nested-bad-value"],
        Err(
            r"The option `services' is an attribute set of options, but it is defined as int|is not an attribute set|attribute set of options"
        ),
    ),
    # Order: mkOrder, mkBefore, mkAfter, in strings too.
    ("config.text", ["declare-lines", "define-order-lines"], '"a\\nb\\nm\\ny\\nz"'),
    # mkIf false on an option that does not exist is still a definition of it.
    (
        "config.enable",
        ["declare-enable", "define-mkif-undeclared-false"],
        Err(r"The option `undeclared' does not exist"),
    ),
]


@table(PRIORITY_CASES)
def test_table_modules_priorities(path, modules, expected, args):
    run_case(path, modules, expected, args)
