"""Module-system table (imports of every form, disabledModules, _module.args and specialArgs,
_module.check).

Same harness as test_modules.py (module_table.py, with the shared
expectations); the expectations follow nixpkgs' lib/modules.nix and
lib/types.nix.  test_modsys_differential.py runs these cases both ways.
"""

from __future__ import annotations

from module_table import MISSING, MP, Err, run_case, table

IMPORT_CASES = [
    # Imports of every form.
    ("config.fromFn", ["import-function"], '"fn"'),
    ("config.fromSet", ["import-attrset"], '"set"'),
    ("config.enable", ["import-nested"], "true"),
    ("config.enable", ["import-string-path"], "false"),
    ("config.enable", ["import-same-file-twice"], "true"),
    (
        "config.twice",
        ["import-anonymous-twice"],
        Err(
            r"The option `twice' in `.*import-anonymous-twice\.dcl.*' is already declared in `.*import-anonymous-twice\.dcl"
        ),
    ),
    ("config.once", ["import-keyed-twice"], "1"),
    ("config.enable", ["import-from-function-result"], "false"),
    (
        "config",
        ["import-flake-typed"],
        Err(
            r"Could not load a value as a module, because it is of type \"flake\", in file .*import-flake-typed\.dcl"
        ),
    ),
    (
        "config",
        ["import-configuration"],
        Err(r"Could not load a value as a module, because it is of type \"configuration\""),
    ),
    ("config.sub.enable", ["import-in-submodule"], "true"),
    (
        "config.fileValue",
        ["import-explicit-file"],
        Err(
            r"A definition for option `fileValue' is not of type `signed integer'\. Definition values:\n\s*- In `virtual-file\.dcl(:\d+)?': \"not an int\""
        ),
    ),
    ("options.fileValue.files", ["import-explicit-file"], '[ "virtual-file.dcl" ]'),
    ("config.enable", ["declare-enable", "define-options-arg"], "true"),
    ("config.enable", ["declare-enable", "define-explicit-config"], "true"),
    ("config.enable", ["declare-enable", "define-explicit-config-mkif"], "true"),
    ("config.enable", ["declare-enable", "define-explicit-config-mkif-false"], "false"),
    ("config.enable", ["declare-enable", "define-explicit-config-mkmerge"], "true"),
    (
        "config.enable",
        ["declare-enable", "define-unsupported-attr"],
        Err(r"Module `.*define-unsupported-attr\.dcl' has an unsupported attribute `stray'"),
    ),
    ("config.enable", ["declare-enable", "define-enable-top-level-mkif"], "true"),
    ("config.both", ["declare-and-define-explicit"], "2"),
    ("config.together", ["declare-and-define-shorthand-options"], '"imported"'),
    ("config.enable", ["import-enable", "import-nested"], "true"),
    # disabledModules: paths, strings (absolute or relative to modulesPath), keys.
    ("config.enable", ["define-enable", "declare-enable"], "true"),
    ("config.enable", ["define-enable", "declare-enable", "disable-define-enable"], "false"),
    (
        "config.enable",
        ["define-enable", "declare-enable", "disable-define-enable-string-path"],
        "false",
    ),
    (
        "config.enable",
        ["define-enable", "declare-enable", "disable-define-enable-modulespath"],
        "false",
        MP,
    ),
    (
        "config.enable",
        ["define-enable", "declare-enable", "disable-declare-enable"],
        Err(
            r"The option `enable' does not exist\. Definition values:\n\s*- In `.*define-enable\.dcl(:\d+)?': true"
        ),
    ),
    (
        "config.enable",
        ["define-enable", "declare-enable", "disable-define-enable", "disable-declare-enable"],
        Err(MISSING.format("enable")),
    ),
    (
        "config.enable",
        ["define-enable", "declare-enable", "disable-enable-modules"],
        Err(MISSING.format("enable")),
        MP,
    ),
    ("config.positive.enable", ["disable-module-with-key"], "true"),
    ("config.negative.enable", ["disable-module-with-key-negative"], "false"),
    (
        "config.enable",
        ["declare-enable", "disable-module-bad-key"],
        Err(
            r"contains a disabledModules item that is an attribute set, presumably a module, that does not have a `key' attribute"
        ),
    ),
    (
        "config.enable",
        ["declare-enable", "disable-module-bad-type"],
        Err(
            r"Each disabledModules item must be a path, string, or a attribute set with a key attribute.*is of type int"
        ),
    ),
    ("config.enable", ["disable-recursive-main"], "true"),
    ("config.enable", ["disable-recursive-main", "disable-recursive-disable-foo"], "true"),
    ("config.enable", ["disable-recursive-main", "disable-recursive-disable-bar"], "true"),
    (
        "config.enable",
        [
            "disable-recursive-main",
            "disable-recursive-disable-foo",
            "disable-recursive-disable-bar",
        ],
        Err(
            r"The option `enable' does not exist\. Definition values:\n\s*- In `.*disable-recursive-main\.dcl(:\d+)?': true"
        ),
    ),
    ("config", ["import-enable", "disable-import-enable"], "{ }"),
    # _module.args and specialArgs.
    ("config.enable", ["declare-enable", "define-enable-with-custom-arg"], Err(r"custom")),
    (
        "config.enable",
        ["declare-enable", "define-enable-with-custom-arg", "define-module-args-custom"],
        "true",
    ),
    (
        "config.enable",
        [
            "declare-enable",
            "define-enable-with-custom-arg",
            "define-module-args-custom",
            "define-module-args-custom-default",
        ],
        "true",
    ),
    (
        "config.enable",
        ["declare-enable", "define-enable-with-custom-arg", "define-module-args-custom-default"],
        "false",
    ),
    (
        "config.enable",
        [
            "declare-enable",
            "define-enable-with-custom-arg",
            "define-module-args-custom",
            "import-custom-arg",
        ],
        Err(r"infinite recursion encountered"),
    ),
    (
        "config.enable",
        ["declare-enable", "define-enable-with-default-arg", "define-module-args-custom"],
        "true",
    ),
    ("config.enable", ["import-via-modulespath"], "false", MP),
    ("config.enable", ["import-via-modulespath", "define-enable"], "true", MP),
    ("config.fromSpecial", ["declare-special"], '"sp"', 'specialArgs.special = "sp";'),
    (
        "config.enable",
        ["declare-enable", "define-from-special"],
        "true",
        'specialArgs.special = "on";',
    ),
    (
        "config.enable",
        ["declare-enable", "define-from-special"],
        "false",
        'specialArgs.special = "off";',
    ),
    (
        "config.enable",
        ["import-by-special"],
        "true",
        'specialArgs.special = fixtures + "/import-enable.dcl";',
    ),
    (
        "config.usesArg",
        ["define-module-args-from-config", "declare-uses-derived-arg"],
        '"from config"',
    ),
    ("config.sub.fromArg", ["define-module-args-in-submodule"], '"sub arg"'),
    ("_module.args ? custom", ["define-module-args-custom"], "true"),
    (
        "config.internals.hasCustom",
        ["define-read-module-internals", "define-module-args-custom"],
        "true",
    ),
    ("config.internals.hasCustom", ["define-read-module-internals"], "false"),
    # _module.check.
    (
        "config.enable",
        ["declare-enable", "define-enable", "define-attrsOfSub-foo"],
        Err(
            r"The option `attrsOfSub' does not exist\. Definition values:\n\s*- In `.*define-attrsOfSub-foo\.dcl"
        ),
    ),
    (
        "config.enable",
        ["declare-enable", "define-enable", "define-attrsOfSub-foo", "define-module-check"],
        "true",
    ),
    (
        "config.enable",
        ["declare-enable", "define-enable", "define-attrsOfSub-foo", "define-module-check-force"],
        "true",
    ),
    ("config.internals.check", ["define-read-module-internals"], "true"),
    ("config.internals.check", ["define-read-module-internals", "define-module-check"], "false"),
    ("config ? _module", ["declare-enable"], "false"),
    (
        "config.attrsOfSub.foo.enable",
        ["declare-attrsOfSub-any-enable", "define-attrsOfSub-foo-typo"],
        Err(r"The option `attrsOfSub\.foo\.enabel' does not exist"),
    ),
    (
        "config.attrsOfSub.foo.enable",
        ["declare-attrsOfSub-any-enable", "define-attrsOfSub-foo-typo", "define-module-check"],
        Err(r"The option `attrsOfSub\.foo\.enabel' does not exist"),
    ),
]


@table(IMPORT_CASES)
def test_table_modules_imports(path, modules, expected, args):
    run_case(path, modules, expected, args)
