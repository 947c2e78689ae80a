"""Module-system table (which types merge two different definitions and which conflict, definition
order, anything, functionTo, deferredModule, emptyValue, attrsOf vs lazyAttrsOf,
coercedTo, either/oneOf, ints, definitions depending on which options exist).

Same harness as test_modules.py (module_table.py, with the shared
expectations); the expectations follow nixpkgs' lib/modules.nix and
lib/types.nix.  test_modsys_differential.py runs these cases both ways.
"""

from __future__ import annotations

from module_table import NOVALUE, TC, Err, run_case, table

TYPE_MERGE_CASES = [
    # Two different definitions: which types merge and which conflict.
    (
        "config.types.bool",
        TC,
        Err(
            r"The option `types\.bool' has conflicting definition values:\n\s*- In `.*define-types-conflicts\.dcl:13': false\n\s*- In `.*define-types-conflicts\.dcl:6': true"
        ),
    ),
    ("config.types.int", TC, Err(r"The option `types\.int' has conflicting definition values")),
    ("config.types.str", TC, Err(r"The option `types\.str' has conflicting definition values")),
    ("config.types.float", TC, Err(r"The option `types\.float' has conflicting definition values")),
    ("config.types.path", TC, Err(r"The option `types\.path' has conflicting definition values")),
    (
        "config.types.package",
        TC,
        Err(
            r"The option `types\.package' is defined multiple times while it's expected to be unique"
        ),
    ),
    ("config.types.enum", TC, Err(r"The option `types\.enum' has conflicting definition values")),
    (
        "config.types.either",
        TC,
        Err(r"The option `types\.either` is neither a value of type `signed integer` nor `string`"),
    ),
    (
        "config.types.uniq",
        TC,
        Err(
            r"The option `types\.uniq' is defined multiple times while it's expected to be unique\.\n\s*Definition values:"
        ),
    ),
    (
        "config.types.unique",
        TC,
        Err(
            r"The option `types\.unique' is defined multiple times while it's expected to be unique\.\n\s*Only one module may set this\.\n\s*Definition values:"
        ),
    ),
    (
        "config.types.raw",
        TC,
        Err(r"The option `types\.raw' is defined multiple times while it's expected to be unique"),
    ),
    (
        "config.types.anything",
        TC,
        Err(r"The option `types\.anything' has conflicting definition values"),
    ),
    ("config.types.unspecified", TC, Err(r"Cannot merge definitions of `types\.unspecified'")),
    (
        "config.types.nullOrInt",
        TC,
        Err(r"The option `types\.nullOrInt' has conflicting definition values"),
    ),
    (
        "config.types.coercedTo",
        TC,
        Err(r"The option `types\.coercedTo' has conflicting definition values"),
    ),
    (
        "config.types.addCheck",
        TC,
        Err(r"The option `types\.addCheck' has conflicting definition values"),
    ),
    (
        "config.types.functionTo 0",
        TC,
        Err(r"The option `types\.functionTo\.<function body>' has conflicting definition values"),
    ),
    ("config.types.bool", ["declare-types", "define-types-agree"], "true"),
    ("config.types.int", ["declare-types", "define-types-agree"], "1"),
    ("config.types.str", ["declare-types", "define-types-agree"], '"a"'),
    ("config.types.float", ["declare-types", "define-types-agree"], "1"),
    ("config.types.path", ["declare-types", "define-types-agree"], '"/a"'),
    ("config.types.enum", ["declare-types", "define-types-agree"], '"a"'),
    ("config.types.unspecified", ["declare-types", "define-types-agree"], "true"),
    ("config.types.boolByOr", ["declare-types", "define-types-agree"], "false"),
    ("config.types.anything", ["declare-types", "define-types-agree"], "1"),
    ("config.types.nullOrInt", ["declare-types", "define-types-nullOr-nulls"], "null"),
    # A module's own definitions come before those of its imports.
    ("config.types.unspecified", ["declare-types", "define-types-unspecified-strings"], '"cdab"'),
    (
        "config.types.unspecified",
        ["declare-types", "define-types-unspecified-attrs"],
        "{ a = 1; b = 1; }",
    ),
    ("config.types.functionTo 3", ["declare-types", "define-types-functionTo-merge"], "3"),
    ("config.types.coercedTo", ["declare-types", "define-types-coerced-strings"], '"2"'),
    ("config.types.raw", ["declare-types", "define-types-raw-priority"], '"forced"'),
    ("config.types.raw.inner._type", ["declare-types", "define-types-raw-nested"], '"if"'),
    (
        "config.types.lines",
        ["declare-types", "define-types-lines-ordered"],
        '"first\\nmiddle\\nlast"',
    ),
    (
        "config.types.listOfStr",
        ["declare-types", "define-types-listOf-ordered"],
        '[ "a" "b" "m" "z" ]',
    ),
    (
        "config.types.listOfStr",
        ["declare-types", "define-types-listOf-priorities"],
        '[ "plain2" "plain1" ]',
    ),
    (
        "config.types.attrsOfInt",
        ["declare-types", "define-types-attrsOf-priorities"],
        "{ a = 2; b = 1; }",
    ),
    (
        "config.types.attrsOfInt",
        ["declare-types", "define-types-attrsOf-conflict"],
        Err(r"The option `types\.attrsOfInt\.a' has conflicting definition values"),
    ),
    (
        "config.types.lazyAttrsOfInt",
        ["declare-types", "define-types-lazyAttrsOf-mkif"],
        Err(r"The option `types\.lazyAttrsOfInt\.gone' " + NOVALUE),
    ),
    ("config.types.lazyAttrsOfInt.a", ["declare-types", "define-types-lazyAttrsOf-mkif"], "1"),
    (
        "config.types.lazyAttrsOfInt ? gone",
        ["declare-types", "define-types-lazyAttrsOf-mkif"],
        "true",
    ),
    ("config.types.lazyAttrsOfInt.a", ["declare-types", "define-types-lazyAttrsOf-throw"], "1"),
    ("config.types.attrsOfInt.a", ["declare-types", "define-types-attrsOf-throw"], Err(r"forced")),
    ("config.merged", ["define-types-enum-merged"], '"z"'),
    (
        "options.merged.type.description",
        ["define-types-enum-merged"],
        '"one of \\"y\\", \\"z\\", \\"x\\""',
    ),
    # anything: nested attribute sets merge, properties apply inside.
    (
        "config.types.anything.l1.l2",
        ["declare-types", "define-types-anything-nested"],
        "{ a = 1; b = null; }",
    ),
    ("config.types.anything.top", ["declare-types", "define-types-anything-nested"], '"t"'),
    ("config.types.anything ? cond", ["declare-types", "define-types-anything-nested"], "false"),
    ("config.types.anything.def", ["declare-types", "define-types-anything-nested"], "1"),
    (
        "config.types.anything.merged",
        ["declare-types", "define-types-anything-nested"],
        "{ x = 1; y = 2; }",
    ),
    ("config.types.anything.before", ["declare-types", "define-types-anything-nested"], "true"),
    (
        "config.types.anything.drv",
        ["declare-types", "define-types-anything-nested"],
        '{ outPath = "/out"; x = 1; }',
    ),
    (
        "config.types.anything.drv",
        ["declare-types", "define-types-anything-drv-override"],
        Err(
            r"The option `types\.anything\.drv' is defined multiple times while it's expected to be unique"
        ),
    ),
    (
        "config.types.anything.f 1",
        ["declare-types", "define-types-anything-functions"],
        "{ a = 1; b = 1; }",
    ),
    ("config.types.anything.f 2", ["declare-types", "define-types-anything-function-one"], "4"),
    (
        "config.types.anything.f",
        ["declare-types", "define-types-anything-function-mixed"],
        Err(r"The option `types\.anything\.f' has conflicting option types"),
    ),
    # functionTo merges what the functions return, with the result type.
    ('config.fnAttrs "v"', ["define-types-functionTo-attrs"], '{ a = "v"; c = "v"; }'),
    (
        "config.fnAttrs 1",
        ["define-types-functionTo-attrs"],
        Err(r"A definition for option `fnAttrs\.<function body>\.a' is not of type `string'"),
    ),
    ('config.fnLines "x"', ["define-types-functionTo-attrs"], '"plain x\\nafter x"'),
    ('config.fnSub "a"', ["define-types-functionTo-attrs"], '{ a = "a"; b = "bee"; }'),
    (
        "config.types.functionTo 1",
        ["declare-types", "define-types-functionTo-wrong"],
        Err(
            r"A definition for option `types\.functionTo\.<function body>' is not of type `signed integer'\. Definition values:\n\s*- In `.*define-types-functionTo-wrong\.dcl"
        ),
    ),
    # deferredModule collects definitions as modules.
    (
        "(lib.evalModules { modules = [ config.types.deferred ]; }).config.a",
        ["declare-types", "define-types-deferred-merge"],
        "5",
    ),
    ("config.nodes.foo.role", ["declare-deferred-default"], '"worker"'),
    ("config.nodes.bar.role", ["declare-deferred-default"], '"leader"'),
    ("config.nodes.bar.shared", ["declare-deferred-default"], '"shared"'),
    (
        "config.nodes.foo.shared",
        ["declare-deferred-default", "define-deferred-bad"],
        Err(
            r"A definition for option `nodes\.foo\.shared' is not of type `string'\. Definition values:\n\s*- In `.*define-deferred-bad\.dcl.*via option defaults.*': 1"
        ),
    ),
    # emptyValue: what a lazyAttrsOf attribute with no definition yields.
    ("config.empty.list.a", ["define-types-emptyValues"], "[ ]"),
    ("config.empty.attrs.a", ["define-types-emptyValues"], "{ }"),
    ("config.empty.null.a", ["define-types-emptyValues"], "null"),
    ("config.empty.submodule.a", ["define-types-emptyValues"], "{ }"),
    (
        "config.empty.str.a",
        ["define-types-emptyValues"],
        Err(r"The option `empty\.str\.a' " + NOVALUE),
    ),
    (
        "config.empty.lines.a",
        ["define-types-emptyValues"],
        Err(r"The option `empty\.lines\.a' " + NOVALUE),
    ),
    (
        "config.empty.int.a",
        ["define-types-emptyValues"],
        Err(r"The option `empty\.int\.a' " + NOVALUE),
    ),
    (
        "config.empty.nonEmptyList.a",
        ["define-types-emptyValues"],
        Err(r"The option `empty\.nonEmptyList\.a' " + NOVALUE),
    ),
    # attrsOf vs lazyAttrsOf: only lazyAttrsOf is lazy, only attrsOf drops false mkIfs.
    (
        "config.isLazy",
        ["declare-value-attrsOf", "attrsOf-lazy-check"],
        Err(r"infinite recursion encountered"),
    ),
    ("config.isLazy", ["declare-value-lazyAttrsOf", "attrsOf-lazy-check"], "true"),
    ("config.conditionalWorks", ["declare-value-attrsOf", "attrsOf-conditional-check"], "true"),
    (
        "config.conditionalWorks",
        ["declare-value-lazyAttrsOf", "attrsOf-conditional-check"],
        "false",
    ),
    ("config.value.foo", ["declare-value-lazyAttrsOf", "attrsOf-conditional-check"], '"empty"'),
    # coercedTo.
    ("config.value", ["declare-coerced-value"], '"42"'),
    ("config.value", ["declare-coerced-value", "define-value-string-24"], '"24"'),
    (
        "config.value",
        ["declare-coerced-value", "define-value-list"],
        Err(
            r"A definition for option `value' is not of type `string or signed integer convertible to it'\. Definition values:\n\s*- In `.*define-value-list\.dcl(:\d+)?': \[ \]"
        ),
    ),
    ("config.value", ["declare-coerced-value-unsound"], "12"),
    (
        "config.value",
        ["declare-coerced-value-unsound", "define-value-string-bigint"],
        Err(
            r"A definition for option `value' is not of type `8 bit signed integer.*'\. Definition values:\n\s*- In `.*define-value-string-bigint\.dcl(:\d+)?': \"1000\""
        ),
    ),
    (
        "config.value",
        ["declare-coerced-value-unsound", "define-value-string-arbitrary"],
        Err(r"(toInt: )?[Cc]ould not convert .*foobar.* to int"),
    ),
    # either and oneOf.
    ("config.value", ["declare-either-int-str", "define-value-int-positive"], "42"),
    ("config.value", ["declare-either-int-str", "define-value-string-24"], '"24"'),
    ("config.value", ["declare-oneOf-value", "define-value-int-positive"], "42"),
    ("config.value", ["declare-oneOf-value", "define-value-list"], "[ ]"),
    ("config.value", ["declare-oneOf-value", "define-value-string-24"], '"24"'),
    ("config.either", ["declare-either-submodules", "define-either-sub-a"], "{ a = 10; }"),
    ("config.oneOfSub", ["declare-either-submodules", "define-either-sub-a"], "{ c = 3; }"),
    ("config.oneOfSub", ["declare-either-submodules", "define-oneOfSub-str"], '"plain"'),
    # ints.
    ("config.value", ["declare-int-unsigned-value", "define-value-int-positive"], "42"),
    (
        "config.value",
        ["declare-int-unsigned-value", "define-value-int-negative"],
        Err(
            r"A definition for option `value' is not of type `unsigned integer, meaning >=0'\. Definition values:\n\s*- In `.*': -23"
        ),
    ),
    (
        "config.value",
        ["declare-int-positive-value", "define-value-int-zero"],
        Err(r"is not of type `positive integer, meaning >0'\. Definition values:\n\s*- In `.*': 0"),
    ),
    ("config.value", ["declare-int-between-value", "define-value-int-positive"], "42"),
    (
        "config.value",
        ["declare-int-between-value", "define-value-int-negative"],
        Err(
            r"is not of type `integer between -21 and 43 \(both inclusive\)'\. Definition values:\n\s*- In `.*': -23"
        ),
    ),
    (
        "config.value",
        ["declare-int-unsigned-value", "define-value-list", "define-value-int-positive"],
        Err(r"A definition for option `value' is not of type `unsigned integer, meaning >=0'"),
    ),
    # Definitions depending on which options exist.
    (
        "config.enable",
        ["define-option-dependently", "declare-enable", "declare-int-positive-value"],
        "true",
    ),
    (
        "config.value",
        ["define-option-dependently", "declare-enable", "declare-int-positive-value"],
        "360",
    ),
    ("config.value", ["define-option-dependently", "declare-int-positive-value"], "7"),
]


@table(TYPE_MERGE_CASES)
def test_table_types_merge(path, modules, expected, args):
    run_case(path, modules, expected, args)
