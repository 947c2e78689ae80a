"""The module system, nixpkgs modules.sh style: (attribute path, modules, expectation).

Each case evaluates `(lib.evalModules { modules = [ … ]; }).<path>` with
`declos eval --strict` and compares the printed value, or matches the error
message against a regular expression.  Fixtures live in golden/modules/.
"""

from __future__ import annotations

import pytest
from module_table import Err, case_id, params, run_case

CASES = [
    # Declarations, defaults and plain definitions.
    ("config.enable", ["declare-enable"], "false"),
    ("config.enable", ["declare-enable", "define-enable"], "true"),
    ("config.enable", ["define-enable", "declare-enable"], "true"),
    ("config.enable", ["import-enable"], "true"),
    (
        "config.enable",
        ["define-enable"],
        Err(
            r"The option `enable' does not exist. Definition values:\n\s*- In `.*define-enable.dcl(:1)?': true"
        ),
    ),
    (
        "config.enable",
        ["declare-enable", "define-enable-with-typo"],
        Err(r"The option `enabel' does not exist"),
    ),
    (
        "config.enable",
        ["declare-enable", "define-enable-bad-type"],
        Err(
            r"A definition for option `enable' is not of type `boolean'. Definition values:\n\s*- In `.*define-enable-bad-type.dcl(:1)?': \"yes\""
        ),
    ),
    (
        "config.value",
        ["declare-int"],
        Err(r"The option `value' was accessed but has no value defined. Try setting the option."),
    ),
    ("config.value", ["declare-int", "define-value-42"], "42"),
    ("config.value", ["declare-int", "define-value-42", "define-value-42"], "42"),
    (
        "config.value",
        ["declare-int", "define-value-42", "define-value-43"],
        Err(
            r"The option `value' has conflicting definition values:\n\s*- In `.*define-value-42.dcl.*': 42\n\s*- In `.*define-value-43.dcl.*': 43"
        ),
    ),
    (
        "config.value",
        ["declare-int", "define-value-string"],
        Err(r"is not of type `signed integer'"),
    ),
    # Priorities.
    ("config.enable", ["declare-enable", "define-enable", "define-force-disable"], "false"),
    ("config.enable", ["declare-enable", "define-force-disable", "define-enable"], "false"),
    ("config.enable", ["declare-enable", "define-default-disable", "define-enable"], "true"),
    (
        "config.enable",
        ["declare-enable", "define-force-enable", "define-force-disable"],
        Err(r"conflicting definition values"),
    ),
    ("config.value", ["declare-int", "define-value-default-1", "define-value-42"], "42"),
    ("config.value", ["declare-int", "define-value-default-1"], "1"),
    # mkIf.
    ("config.enable", ["declare-enable", "define-if-enable"], "true"),
    ("config.enable", ["declare-enable", "define-if-false-enable"], "false"),
    ("config.list", ["declare-enable", "declare-list", "define-if-reads-config"], "[ ]"),
    (
        "config.list",
        ["declare-enable", "declare-list", "define-if-reads-config", "define-enable"],
        '[ "enabled" ]',
    ),
    # Lists: priority, then order, then definition order.
    ("config.list", ["declare-list"], "[ ]"),
    (
        "config.list",
        ["declare-list", "define-list-a", "define-list-b-before", "define-list-c-after"],
        '[ "b" "a" "c" ]',
    ),
    (
        "config.list",
        ["declare-list", "define-list-c-after", "define-list-a", "define-list-d-merge"],
        '[ "a" "d1" "d2" "c" ]',
    ),
    (
        "config.list",
        ["declare-list", "define-list-a", "define-list-force", "define-list-c-after"],
        '[ "only" ]',
    ),
    # Strings and lines.
    ("config.text", ["declare-lines", "define-lines-1", "define-lines-2"], '"one\\ntwo"'),
    (
        "config.name",
        ["declare-str", "define-name-alice", "define-name-bob"],
        Err(r"The option `name' has conflicting definition values"),
    ),
    ("config.name", ["declare-str", "define-name-alice", "define-name-alice"], '"alice"'),
    # Integer ranges.
    ("config.port", ["declare-port", "define-port-80"], "80"),
    (
        "config.port",
        ["declare-port", "define-port-70000"],
        Err(
            r"is not of type `16 bit unsigned integer; between 0 and 65535 \(both inclusive\)'|is not of type `16 bit unsigned integer'"
        ),
    ),
    # Submodules with names, defaults depending on their own config.
    ("config.users.alice.enable", ["declare-attrsOf-sub", "define-users"], "true"),
    ("config.users.alice.name", ["declare-attrsOf-sub", "define-users"], '"alice"'),
    ("config.users.bob.home", ["declare-attrsOf-sub", "define-users"], '"/home/robert"'),
    (
        "config.users.alice.home",
        ["declare-attrsOf-sub", "define-users", "define-users-more"],
        '"/srv/alice"',
    ),
    (
        "config.users",
        ["declare-attrsOf-sub", "define-users", "define-users-more"],
        '{ alice = { enable = true; home = "/srv/alice"; name = "alice"; }; bob = { enable = false; home = "/home/robert"; name = "robert"; }; carol = { enable = false; home = "/home/carol"; name = "carol"; }; }',
    ),
    (
        "config.users.alice.shell",
        ["declare-attrsOf-sub", "define-users-bad"],
        Err(r"The option `users.alice.shell' does not exist"),
    ),
    (
        "config.users.alice.shell",
        ["declare-attrsOf-sub", "declare-submodule-extend", "define-users-bad"],
        '"/bin/sh"',
    ),
    (
        "config.users.bob.shell",
        ["declare-attrsOf-sub", "declare-submodule-extend", "define-users"],
        '"/bin/bash"',
    ),
    # Options depending on other options.
    ("config.derived", ["declare-int", "declare-derived", "define-value-42"], "84"),
    # disabledModules.
    ("config.enable", ["declare-enable", "declare-enable-again", "disable-declare-enable"], "true"),
    (
        "config.enable",
        ["disable-declare-enable", "declare-enable", "define-enable"],
        Err(r"The option `enable' does not exist"),
    ),
    # Module arguments.
    ("config.fooValue", ["declare-uses-foo", "define-module-arg-foo"], '"from _module.args"'),
    # Freeform modules.
    (
        "config",
        ["declare-freeform", "define-freeform"],
        '{ anything = "goes"; fixed = 1; other = "too"; }',
    ),
    # nullOr, enum, either, coercedTo.
    ("config.maybe", ["declare-nullOr"], "null"),
    ("config.maybe", ["declare-nullOr", "define-maybe-3"], "3"),
    ("config.level", ["declare-enum"], '"low"'),
    (
        "config.level",
        ["declare-enum", "define-level-medium"],
        Err(r"is not of type `one of \"low\", \"high\"'"),
    ),
    ("config.either", ["declare-either", "define-either-str"], '"s"'),
    ("config.coerced", ["declare-coerced", "define-coerced-int"], '"42"'),
    # Nested option sets and properties pushed down into them.
    ("config.services.web", ["declare-nested", "define-nested"], "{ enable = true; port = 80; }"),
    ("config.services.web.port", ["declare-nested", "define-nested", "define-nested-port"], "443"),
    ("config.services.web.port", ["declare-nested"], "8080"),
    # Laziness of lazyAttrsOf.
    ("config.lazy.ok", ["declare-lazyAttrs", "define-lazy-throw"], "1"),
    # functionTo merges the results.
    ("config.fn 1", ["declare-functionTo", "define-fn-1", "define-fn-2"], "[ 1 2 ]"),
    # anything merges attribute sets recursively.
    (
        "config.any",
        ["declare-anything", "define-any-1", "define-any-2"],
        '{ a = 1; b = 2; nested = { x = "x"; y = "y"; }; }',
    ),
    # readOnly.
    ("config.ro", ["declare-readonly"], "1"),
    (
        "config.ro",
        ["declare-readonly", "define-ro"],
        Err(r"The option `ro' is read-only, but it's set multiple times"),
    ),
    # Duplicate declarations.
    (
        "config.enable",
        ["declare-enable", "declare-enable-again"],
        Err(
            r"The option `enable' in `.*declare-enable-again.dcl' is already declared in `.*declare-enable.dcl'"
        ),
    ),
    # A top-level `config' next to other attributes.
    (
        "config.enable",
        ["declare-enable", "shorthand-and-config"],
        Err(r"has an unsupported attribute `stray'"),
    ),
    # Assertions are plain options; failed ones are all visible.
    (
        "map (a: a.message) (builtins.filter (a: !a.assertion) config.assertions)",
        ["declare-enable", "declare-assertions", "define-assertions"],
        '[ "enable must be set" "always fails" ]',
    ),
    # Renamed options.
    (
        "config.enable",
        ["declare-enable", "renamed", "define-old-enable", "declare-assertions"],
        "true",
    ),
    # Unknown options get suggestions; definitions name file and line.
    (
        "config.services.foo.enabled",
        ["declare-foo-enabled", "define-foo-enable"],
        Err(
            r"The option `services.foo.enable' does not exist. Definition values:\n\s*- In `.*define-foo-enable.dcl:2': true\n\s*Did you mean `services.foo.enabled'\?"
        ),
    ),
    # Infinite recursion names the chain of options.
    (
        "config.a",
        ["declare-cycle"],
        Err(
            r"while evaluating the option `a':\n.*while evaluating the option `b':\n(.|\n)*infinite recursion encountered"
        ),
    ),
    # apply.
    ("config.applied", ["declare-apply"], "10"),
    # _module.check = false lets undeclared definitions through.
    ("config.enable", ["declare-enable", "define-undeclared", "disable-check"], "false"),
    (
        "config.enable",
        ["declare-enable", "define-undeclared"],
        Err(r"The option `undeclared' does not exist"),
    ),
    # mkMerge of mkIfs at attribute-set level, conditions reading config.
    (
        "builtins.attrNames config.users",
        ["declare-enable", "declare-attrsOf-sub", "define-attrs-mkif", "define-enable"],
        '[ "dave" ]',
    ),
    (
        "builtins.attrNames config.users",
        ["declare-enable", "declare-attrsOf-sub", "define-attrs-mkif"],
        '[ "erin" ]',
    ),
    # Submodules referring to their parent's config.
    ("config.hosts.www.fqdn", ["declare-parent-ref", "define-hosts"], '"www.declos.test"'),
    # deferredModule.
    ("config.result", ["declare-deferred", "define-deferred-1"], '"deferred value"'),
    # lazyAttrsOf keeps names whose definitions vanish, with the empty value.
    ("config.lazyLists", ["declare-lazy-list", "define-lazy-list-if"], "{ a = [ ]; b = [ 2 ]; }"),
    # Modules with the same key are imported once (the first wins).
    ("config.keyed", ["keyed-1", "keyed-2"], "1"),
    # Removed and aliased options.
    ("map (a: a.assertion) config.assertions", ["declare-assertions", "removed"], "[ true ]"),
    (
        "builtins.length (builtins.filter (a: !a.assertion) config.assertions)",
        ["declare-assertions", "removed", "define-gone"],
        "1",
    ),
    ("config.enable", ["declare-enable", "alias", "define-alias"], "true"),
    # uniq.
    ("config.uniq", ["declare-unique", "define-uniq-1"], "1"),
    (
        "config.uniq",
        ["declare-unique", "define-uniq-1", "define-uniq-2"],
        Err(r"The option `uniq' is defined multiple times while it's expected to be unique"),
    ),
    # strMatching, ints.between, nonEmptyListOf, commas with ordering.
    ("config.hostname", ["declare-str-matching", "define-hostname-good"], '"web-1"'),
    (
        "config.hostname",
        ["declare-str-matching", "define-hostname-bad"],
        Err(r"is not of type `string matching the pattern \[a-z\]\[a-z0-9-\]\*'"),
    ),
    (
        "config.percent",
        ["declare-between", "define-percent-101"],
        Err(r"is not of type `integer between 0 and 100 \(both inclusive\)'"),
    ),
    (
        "config.nonEmpty",
        ["declare-nonempty", "define-nonempty-empty"],
        Err(
            r"is not of type `non-empty \(list of signed integer\)'|is not of type `non-empty list of signed integer'"
        ),
    ),
    ("config.csv", ["declare-commas", "define-csv-a", "define-csv-b"], '"a,z"'),
    # nullOr with null and non-null definitions.
    (
        "config.maybe",
        ["declare-nullOr", "define-maybe-3", "define-maybe-null"],
        Err(r"The option `maybe' is defined both null and not null"),
    ),
    ("config.maybe", ["declare-nullOr", "define-maybe-3", "define-maybe-null-force"], "null"),
    # either with a submodule.
    ("config.listen", ["declare-either-sub", "define-listen-int"], "22"),
    (
        "config.listen",
        ["declare-either-sub", "define-listen-sub"],
        '{ addr = "0.0.0.0"; port = 22; }',
    ),
    # A module's `meta` goes to the `meta` option.
    ("config.meta", ["declare-meta", "declare-enable", "define-meta"], '{ maintainer = "alice"; }'),
    # mkIf with a non-Boolean condition.
    (
        "config.enable",
        ["declare-enable", "define-bad-mkif"],
        Err(r"mkIf called with a non-Boolean condition"),
    ),
    # Nested lists in imports are an error.
    ("config", ["nested-list-import"], Err(r"Module imports can't be nested lists")),
    # attrsOf merges per name with priorities per name.
    (
        "config.flags",
        ["declare-attrs-of-bool", "define-flags-1", "define-flags-2"],
        "{ a = true; b = false; }",
    ),
    # package, float.
    ("config.pkg.name", ["declare-package", "define-pkg-drv"], '"hello"'),
    ("config.ratio", ["declare-float"], "0.5"),
    (
        "config.ratio",
        ["declare-float", "define-ratio-int"],
        Err(r"is not of type `floating point number'"),
    ),
    # Options declared below a submodule option from another module.
    ("config.bare.nested", ["declare-bare-submodule", "declare-bare-submodule-nested"], "1"),
    (
        "config.bare.nested",
        ["declare-bare-submodule-nested", "declare-bare-submodule", "define-bare-nested"],
        "2",
    ),
    # mkAliasDefinitions.
    ("config.target", ["declare-alias-defs", "define-source"], "[ 1 2 ]"),
    ("config.target", ["declare-alias-defs"], "[ ]"),
    # Introspection.
    ("options.enable.isDefined", ["declare-enable"], "true"),
    ("options.value.isDefined", ["declare-int"], "false"),
    ("options.value.highestPrio", ["declare-int", "define-value-default-1"], "1000"),
    ("options.enable.type.description", ["declare-enable"], '"boolean"'),
    ("options.users.type.description", ["declare-attrsOf-sub"], '"attribute set of (submodule)"'),
]


@pytest.mark.parametrize(
    ("path", "modules", "expected", "args"), params(CASES), ids=[case_id(c) for c in CASES]
)
def test_module_table(path, modules, expected, args):
    run_case(path, modules, expected, args)
