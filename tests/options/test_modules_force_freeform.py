"""Module-system table (mkForce and mkIf with submodules, freeform modules and the shorthand `meta`).

Same harness as test_modules.py (module_table.py, with the shared
expectations); the expectations follow nixpkgs' lib/modules.nix and
lib/types.nix.  test_modsys_differential.py runs these cases both ways.
"""

from __future__ import annotations

from module_table import MISSING, NOVALUE, Err, run_case, table

FORCE_FREEFORM_CASES = [
    # mkForce, with and without submodules (nixpkgs' modules.sh).
    ("config.enable", ["declare-enable", "define-enable", "define-enable-force"], "false"),
    ("config.enable", ["declare-enable", "define-enable", "define-force-enable-attrs"], "false"),
    ("config.attrsOfSub.foo.enable", ["declare-attrsOfSub-any-enable"], Err(MISSING.format("foo"))),
    (
        "config.attrsOfSub.foo.enable",
        ["declare-attrsOfSub-any-enable", "define-attrsOfSub-foo"],
        "false",
    ),
    (
        "config.attrsOfSub.foo.enable",
        ["declare-attrsOfSub-any-enable", "define-attrsOfSub-foo-enable"],
        "true",
    ),
    (
        "config.attrsOfSub.foo.enable",
        [
            "declare-attrsOfSub-any-enable",
            "define-attrsOfSub-foo-enable",
            "define-force-attrsOfSub-foo-enable",
        ],
        "false",
    ),
    (
        "config.attrsOfSub.foo.enable",
        [
            "declare-attrsOfSub-any-enable",
            "define-attrsOfSub-foo-enable",
            "define-attrsOfSub-force-foo-enable",
        ],
        "false",
    ),
    (
        "config.attrsOfSub.foo.enable",
        [
            "declare-attrsOfSub-any-enable",
            "define-attrsOfSub-foo-enable",
            "define-attrsOfSub-foo-force-enable",
        ],
        "false",
    ),
    (
        "config.attrsOfSub.foo.enable",
        [
            "declare-attrsOfSub-any-enable",
            "define-attrsOfSub-foo-enable",
            "define-attrsOfSub-foo-enable-force",
        ],
        "false",
    ),
    (
        "config.attrsOfSub.bar.enable",
        ["declare-attrsOfSub-any-enable", "define-attrsOfSub-foo"],
        Err(MISSING.format("bar")),
    ),
    (
        "config.attrsOfSub.bar.enable",
        ["declare-attrsOfSub-any-enable", "define-attrsOfSub-foo", "define-attrsOfSub-bar"],
        "false",
    ),
    (
        "config.attrsOfSub.bar.enable",
        ["declare-attrsOfSub-any-enable", "define-attrsOfSub-foo", "define-attrsOfSub-bar-enable"],
        "true",
    ),
    (
        "config.attrsOfSub.bar.enable",
        [
            "declare-attrsOfSub-any-enable",
            "define-attrsOfSub-foo",
            "define-attrsOfSub-bar-enable",
            "define-force-attrsOfSub-foo-enable",
        ],
        Err(MISSING.format("bar")),
    ),
    (
        "config.attrsOfSub.bar.enable",
        [
            "declare-attrsOfSub-any-enable",
            "define-attrsOfSub-foo",
            "define-attrsOfSub-bar-enable",
            "define-attrsOfSub-force-foo-enable",
        ],
        Err(MISSING.format("bar")),
    ),
    (
        "config.attrsOfSub.bar.enable",
        [
            "declare-attrsOfSub-any-enable",
            "define-attrsOfSub-foo",
            "define-attrsOfSub-bar-enable",
            "define-attrsOfSub-foo-force-enable",
        ],
        "true",
    ),
    (
        "config.attrsOfSub.bar.enable",
        [
            "declare-attrsOfSub-any-enable",
            "define-attrsOfSub-foo",
            "define-attrsOfSub-bar-enable",
            "define-attrsOfSub-foo-enable-force",
        ],
        "true",
    ),
    # mkIf with submodules: conditions read config, names stay known.
    (
        "config.attrsOfSub.foo.enable",
        ["declare-enable", "declare-attrsOfSub-any-enable", "define-if-attrsOfSub-foo-enable"],
        Err(MISSING.format("foo")),
    ),
    (
        "config.attrsOfSub.foo.enable",
        ["declare-enable", "declare-attrsOfSub-any-enable", "define-attrsOfSub-if-foo-enable"],
        Err(MISSING.format("foo")),
    ),
    (
        "config.attrsOfSub.foo.enable",
        ["declare-enable", "declare-attrsOfSub-any-enable", "define-attrsOfSub-foo-if-enable"],
        Err(MISSING.format("foo")),
    ),
    (
        "config.attrsOfSub.foo.enable",
        ["declare-enable", "declare-attrsOfSub-any-enable", "define-attrsOfSub-foo-enable-if"],
        "false",
    ),
    (
        "config.attrsOfSub.foo.enable",
        [
            "declare-enable",
            "declare-attrsOfSub-any-enable",
            "define-enable",
            "define-if-attrsOfSub-foo-enable",
        ],
        "true",
    ),
    (
        "config.attrsOfSub.foo.enable",
        [
            "declare-enable",
            "declare-attrsOfSub-any-enable",
            "define-enable",
            "define-attrsOfSub-if-foo-enable",
        ],
        "true",
    ),
    (
        "config.attrsOfSub.foo.enable",
        [
            "declare-enable",
            "declare-attrsOfSub-any-enable",
            "define-enable",
            "define-attrsOfSub-foo-if-enable",
        ],
        "true",
    ),
    (
        "config.attrsOfSub.foo.enable",
        [
            "declare-enable",
            "declare-attrsOfSub-any-enable",
            "define-enable",
            "define-attrsOfSub-foo-enable-if",
        ],
        "true",
    ),
    # Freeform modules.
    ("config.value", ["freeform-attrsOf", "define-value-string-24"], '"24"'),
    ("config", ["freeform-attrsOf"], "{ }"),
    (
        "config.value",
        ["freeform-attrsOf", "define-value-list"],
        Err(r"A definition for option `value' is not of type `string or boolean'"),
    ),
    ("config.value", ["freeform-attrsOf", "define-value-string-properties"], '"yes"'),
    ("config.enable", ["freeform-attrsOf", "define-value-string-24", "declare-enable"], "false"),
    ("config.value", ["freeform-attrsOf", "define-value-string-24", "declare-enable"], '"24"'),
    (
        "config",
        ["freeform-attrsOf", "define-value-string-24", "declare-enable", "define-enable"],
        '{ enable = true; value = "24"; }',
    ),
    ("config.nest.foo", ["freeform-attrsOf-nested", "freeform-nested"], "false"),
    ("config.nest.bar", ["freeform-attrsOf-nested", "freeform-nested"], '"bar"'),
    (
        "config.nest.bar",
        ["freeform-attrsOf", "freeform-nested"],
        Err(r"A definition for option `nest' is not of type `string or boolean'"),
    ),
    ("config.foo", ["freeform-attrsOf", "freeform-str-dep-unstr"], "null"),
    (
        "config.foo",
        ["freeform-attrsOf", "freeform-str-dep-unstr", "define-value-string-24"],
        '"24"',
    ),
    (
        "config.foo",
        ["freeform-attrsOf", "freeform-unstr-dep-str"],
        Err(r"infinite recursion encountered"),
    ),
    ("config.foo", ["freeform-lazyAttrsOf", "freeform-unstr-dep-str"], Err(NOVALUE)),
    (
        "config.foo",
        ["freeform-lazyAttrsOf", "freeform-unstr-dep-str", "define-value-string-24"],
        '"24"',
    ),
    ("config.free.xxx.foo", ["freeform-submodules"], "10"),
    ("config.free.yyy.foo", ["freeform-submodules"], "11"),
    ("config", ["freeform-explicit", "define-freeform-ints"], "{ a = 1; b = 2; }"),
    ("config", ["freeform-explicit", "define-freeform-mkmerge"], "{ a = 1; c = 3; }"),
    ("config.settings", ["freeform-in-submodule"], "{ MaxSessions = 10; port = 22; }"),
    (
        "config.settings",
        ["freeform-in-submodule", "define-settings-port"],
        "{ MaxAuthTries = 3; MaxSessions = 10; port = 2222; }",
    ),
    (
        "config.settings.Other",
        ["freeform-in-submodule", "define-settings-bad"],
        Err(r"A definition for option `settings\.Other' is not of type `signed integer'"),
    ),
    (
        "_module.freeformType.description",
        ["freeform-explicit"],
        '"attribute set of signed integer"',
    ),
    ("config.internals.freeform", ["define-read-module-internals"], "null"),
    (
        "config.nested.value",
        ["freeform-attrsOf", "freeform-declared-nested-value"],
        Err(r"is not of type `string or boolean'"),
    ),
    # Shorthand `meta' is config, once.
    (
        "config.meta.words",
        ["declare-meta-words", "define-meta-one", "define-meta-two"],
        '"one two"',
    ),
    ("config.meta.words", ["declare-meta-words", "define-meta-explicit"], '"three"'),
    (
        "config.meta.words",
        ["declare-meta-words", "declare-enable", "define-module-meta-shorthand"],
        '"short"',
    ),
]


@table(FORCE_FREEFORM_CASES)
def test_table_modules_force_freeform(path, modules, expected, args):
    run_case(path, modules, expected, args)
