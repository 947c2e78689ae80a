"""Module-system table (submoduleWith, `name` in attrsOf submodules, submodules reading the
parent's config, submodule defaults, classes, extendModules).

Same harness as test_modules.py (module_table.py, with the shared
expectations); the expectations follow nixpkgs' lib/modules.nix and
lib/types.nix.  test_modsys_differential.py runs these cases both ways.
"""

from __future__ import annotations

from module_table import Err, run_case, table

SUBMODULE_CASES = [
    # submoduleWith: specialArgs, shorthandOnlyDefinesConfig, modules, paths.
    ("config.submodule.foo", ["declare-submoduleWith-special"], '"foo"'),
    (
        "config.submodule.config",
        ["declare-submoduleWith-shorthand", "define-submoduleWith-shorthand"],
        "true",
    ),
    (
        "config.submodule.config",
        ["declare-submoduleWith-shorthand", "define-submoduleWith-noshorthand"],
        Err(r"is not of type `boolean'"),
    ),
    (
        "config.submodule.config",
        ["declare-submoduleWith-noshorthand", "define-submoduleWith-shorthand"],
        Err(
            r"In module `.*define-submoduleWith-shorthand\.dcl', you're trying to define a value of type `bool'\n\s*rather than an attribute set for the option"
        ),
    ),
    (
        "config.submodule.config",
        ["declare-submoduleWith-noshorthand", "define-submoduleWith-noshorthand"],
        "true",
    ),
    ("config.submodule.inner", ["declare-submoduleWith-modules"], "true"),
    ("config.submodule.outer", ["declare-submoduleWith-modules"], "true"),
    ("options.submodule.type.description", ["declare-submoduleWith-modules"], '"submodule"'),
    ("config.submodule.inner", ["declare-submodule-via-evalModules"], "true"),
    ("config.submodule.outer", ["declare-submodule-via-evalModules"], "true"),
    ("options.submodule.type.description", ["declare-submodule-via-evalModules"], '"submodule"'),
    ("config.submodule.enable", ["declare-submoduleWith-path"], "true"),
    ("config.submodule.internalFiles", ["declare-submodule-internal-files"], '[ "the-file.dcl" ]'),
    # `name' in attrsOf submodules; submodules in lists referring to their own config.
    ("config.named.first.myName", ["declare-submodule-name"], '"first"'),
    ("config.named.second.myName", ["declare-submodule-name"], '"renamed"'),
    ("map (x: x.double) config.listed", ["declare-submodule-name"], "[ 2 4 ]"),
    (
        "config.named.first",
        ["declare-submodule-name", "define-named-typo"],
        Err(
            r"The option `named\.first\.myNme' does not exist\. Definition values:\n\s*- In `.*define-named-typo\.dcl(:\d+)?': \"x\"\n\s*Did you mean `named\.first\.myName'\?"
        ),
    ),
    ("config.named.fn.myName", ["declare-submodule-name", "define-submodule-function"], '"fn-fn"'),
    (
        "config.named.mixed.myName",
        ["declare-submodule-name", "define-submodule-function"],
        '"merged"',
    ),
    (
        "config.named.forced.myName",
        ["declare-submodule-name", "define-submodule-mkforce"],
        '"forced"',
    ),
    (
        "options.named.type.description",
        ["declare-submodule-name"],
        '"attribute set of (submodule)"',
    ),
    ("options.listed.type.description", ["declare-submodule-name"], '"list of (submodule)"'),
    (
        '(options.named.type.getSubOptions [ "named" ]).myName.loc',
        ["declare-submodule-name"],
        '[ "named" "<name>" "myName" ]',
    ),
    # Submodules referring to the parent's config, and the parent reading them.
    ("config.labels", ["declare-submodule-parent"], '[ "pre-one" "pre-two" ]'),
    (
        "config.labels",
        ["declare-submodule-parent", "define-prefix-post"],
        '[ "post-one" "own-two" ]',
    ),
    # A submodule option's default is one more definition.
    ("config.server", ["declare-submodule-default-merge"], '{ host = "localhost"; port = 80; }'),
    (
        "config.server",
        ["declare-submodule-default-merge", "define-server-host"],
        '{ host = "example.org"; port = 1; }',
    ),
    # Classes.
    ("config.sub", ["declare-submodule-class"], "{ }"),
    (
        "config.subDarwinFails",
        ["declare-submodule-class"],
        Err(r"The module .*class-darwin\.dcl was imported into nixos instead of darwin\."),
    ),
    (
        "config",
        ["class-darwin"],
        Err(r"The module .*class-darwin\.dcl was imported into nixos instead of darwin\."),
        'class = "nixos";',
    ),
    ("config", ["class-darwin"], "{ }"),
    ("config", ["class-nixos"], "{ }", 'class = "nixos";'),
    ("class", [], '"nixos"', 'class = "nixos";'),
    ("class", [], "null"),
    (
        "config",
        ["import-configuration"],
        Err(r"please only import the modules that make up the configuration"),
    ),
    # Anonymous submodules survive extendModules.
    ("config.sub.specialisation.value", ["declare-extend-submodule"], "2"),
    ("config.sub.value", ["declare-extend-submodule"], "1"),
]


@table(SUBMODULE_CASES)
def test_table_modules_submodules(path, modules, expected, args):
    run_case(path, modules, expected, args)
