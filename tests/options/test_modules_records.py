"""Module-system table (option records (isDefined, value, files, definitionsWithLocations …),
readOnly and apply, duplicate declarations).

Same harness as test_modules.py (module_table.py, with the shared
expectations); the expectations follow nixpkgs' lib/modules.nix and
lib/types.nix.  test_modsys_differential.py runs these cases both ways.
"""

from __future__ import annotations

from module_table import Err, run_case, table

RECORD_CASES = [
    ("options.documented.isDefined", ["declare-documented"], "true"),
    ("options.documented.value", ["declare-documented"], "[ 1 ]"),
    ("options.documented.default", ["declare-documented"], "[ 1 ]"),
    ("options.documented.example", ["declare-documented"], "[ 2 3 ]"),
    ("options.documented.description", ["declare-documented"], '"A documented option."'),
    ("options.documented.defaultText.text", ["declare-documented"], '"[ 1 ]"'),
    ("options.documented.defaultText._type", ["declare-documented"], '"literalExpression"'),
    ("options.documented.internal", ["declare-documented"], "true"),
    ("options.documented.visible", ["declare-documented"], "false"),
    ("options.documented.loc", ["declare-documented"], '[ "documented" ]'),
    ("options.documented._type", ["declare-documented"], '"option"'),
    ("options.documented.type.name", ["declare-documented"], '"listOf"'),
    ("options.documented.readOnly or false", ["declare-documented"], "false"),
    ("builtins.length options.documented.declarations", ["declare-documented"], "1"),
    (
        'lib.hasSuffix "declare-documented.dcl" (builtins.head options.documented.declarations)',
        ["declare-documented"],
        "true",
    ),
    ("options.documented.definitions", ["declare-documented", "define-documented-a"], "[ [ 10 ] ]"),
    # definitions, files and definitionsWithLocations are in mkOrder order.
    (
        "options.documented.definitions",
        ["declare-documented", "define-documented-a", "define-documented-b"],
        "[ [ 5 ] [ 10 ] ]",
    ),
    ("options.documented.definitions", ["declare-documented"], "[ [ 1 ] ]"),
    (
        "options.documented.value",
        ["declare-documented", "define-documented-a", "define-documented-b"],
        "[ 5 10 ]",
    ),
    (
        "map baseNameOf options.documented.files",
        ["declare-documented", "define-documented-a", "define-documented-b"],
        '[ "define-documented-b.dcl" "define-documented-a.dcl" ]',
    ),
    (
        "map (d: baseNameOf d.file) options.documented.definitionsWithLocations",
        ["declare-documented", "define-documented-a", "define-documented-b"],
        '[ "define-documented-b.dcl" "define-documented-a.dcl" ]',
    ),
    (
        "map (d: d.value) options.documented.definitionsWithLocations",
        ["declare-documented", "define-documented-a", "define-documented-b"],
        "[ [ 5 ] [ 10 ] ]",
    ),
    (
        "map baseNameOf options.documented.files",
        ["declare-documented", "define-documented-a"],
        '[ "define-documented-a.dcl" ]',
    ),
    ("options.enableThing.description", ["declare-documented"], '"Whether to enable the thing."'),
    ("options.enableThing.example", ["declare-documented"], "true"),
    ("options.enableThing.default", ["declare-documented"], "false"),
    ("options.services.web.port.loc", ["declare-nested"], '[ "services" "web" "port" ]'),
    (
        "options.services.web.port.type.description",
        ["declare-nested"],
        '"16 bit unsigned integer; between 0 and 65535 (both inclusive)"',
    ),
    ("lib.isOption options.services.web", ["declare-nested"], "false"),
    ("lib.isOption options.services.web.enable", ["declare-nested"], "true"),
    ("options.enable.loc", ["declare-enable"], '[ "pre" "enable" ]', 'prefix = [ "pre" ];'),
    (
        "config.enable",
        ["declare-enable", "define-enable-with-typo"],
        Err(r"The option `pre\.enabel' does not exist"),
        'prefix = [ "pre" ];',
    ),
    ("options.value.isDefined", ["declare-int", "define-value-if-false-throw"], "false"),
    ("options.value.files", ["declare-int"], "[ ]"),
    (
        "builtins.length options.enable.declarations",
        ["declare-enable", "declare-enable-nodefault-again"],
        "2",
    ),
    # readOnly and apply.
    ("config.ro2", ["declare-readonly-nodefault", "define-ro2"], "5"),
    (
        "config.ro2",
        ["declare-readonly-nodefault", "define-ro2", "define-ro2-again"],
        Err(
            r"The option `ro2' is read-only, but it's set multiple times\. Definition values:\n\s*- In `.*define-ro2\.dcl.*': 5\n\s*- In `.*define-ro2-again\.dcl.*': 6"
        ),
    ),
    ("options.ro2.readOnly", ["declare-readonly-nodefault"], "true"),
    ("config.sorted", ["declare-apply-list", "define-sorted"], "[ 1 2 3 ]"),
    ("options.sorted.value", ["declare-apply-list", "define-sorted"], "[ 1 2 3 ]"),
    ("config.sorted", ["declare-apply-list"], "[ ]"),
    (
        "config.sorted",
        ["declare-apply-list", "declare-apply-again"],
        Err(
            r"The option `sorted' in `.*declare-apply-again\.dcl' is already declared in `.*declare-apply-list\.dcl'"
        ),
    ),
    # Duplicate declarations: what merges and what does not.
    ("config.value", ["declare-int", "declare-int-again", "define-value-42"], "42"),
    ("config.value", ["declare-int", "declare-int-default-again"], "1"),
    (
        "config.value",
        ["declare-int-default-7", "declare-int-default-again"],
        Err(
            r"The option `value' in `.*declare-int-default-again\.dcl' is already declared in `.*declare-int-default-7\.dcl'"
        ),
    ),
    (
        "config.value",
        ["declare-value-description", "declare-value-description-again"],
        Err(
            r"The option `value' in `.*declare-value-description-again\.dcl' is already declared in `.*declare-value-description\.dcl'"
        ),
    ),
    (
        "config.value",
        ["declare-int", "declare-value-str", "define-value-42"],
        Err(
            r"The option `value' in `.*declare-value-str\.dcl' is already declared in `.*declare-int\.dcl'"
        ),
    ),
    (
        "config.set",
        ["declare-set-attrsOf", "declare-set-enable-nested"],
        Err(
            r"The option `set' in module `.*declare-set-attrsOf\.dcl' would be a parent of the following options, but its type `attribute set of signed integer' does not support nested options\.\n\s*- option\(s\) with prefix `set\.enable' in module `.*declare-set-enable-nested\.dcl'"
        ),
    ),
    (
        "config.result",
        ["declare-option-type-as-option"],
        Err(
            r"In module `.*declare-option-type-as-option\.dcl': expected an option declaration at option path `result' but got an attribute set with type option-type"
        ),
    ),
    (
        "config.result.here",
        ["declare-option-type-as-option-nested"],
        Err(
            r"In module `.*declare-option-type-as-option-nested\.dcl': expected an option declaration at option path `result\.here' but got an attribute set with type option-type"
        ),
    ),
    ("config.untyped", ["declare-typeless"], "{ a = 1; }"),
    ("config.untyped", ["declare-typeless", "define-typeless"], "{ b = 2; }"),
]


@table(RECORD_CASES)
def test_table_modules_records(path, modules, expected, args):
    run_case(path, modules, expected, args)
