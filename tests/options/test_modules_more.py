"""More of the module-system table: imports, disabledModules, module arguments,
freeform modules, every type's check/merge/description, priorities and
properties, option records, extendModules, classes, renames and the errors a
NixOS user reads.  Same harness as test_modules.py (module_table.py); the
expectations follow nixpkgs' lib/modules.nix and lib/types.nix.
"""

from __future__ import annotations

import pytest
from module_table import Err, case_id, params, run_case

NOVALUE = r"(was accessed but has no value defined|is used but not defined)"
MISSING = r"attribute '?{0}'? (missing|not found)|does not have attribute `?'?{0}"
T = ["declare-types", "define-types-good"]
TB = ["declare-types", "define-types-bad"]
TC = ["declare-types", "define-types-conflicts"]
MP = "specialArgs.modulesPath = fixtures;"


def bad(option: str, type_re: str, value_re: str = "") -> Err:
    return Err(
        rf"A definition for option `types\.{option}' is not of type `{type_re}'\. Definition values:\n\s*- In `.*define-types-bad\.dcl(:\d+)?':\s*{value_re}"
    )


def neither(option: str, type_re: str, t1: str, t2: str, value_re: str) -> Err:
    """Both members of an `either` refuse the definitions (nixpkgs 26.11's message)."""
    return Err(
        rf"A definition for option `types\.{option}' is not of type `{type_re}'\. The option `types\.{option}` "
        rf"is neither a value of type `{t1}` nor `{t2}`, Definition values:\n\s*- In `.*define-types-bad\.dcl(:\d+)?':\s*{value_re}"
    )


CASES = [
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

TYPE_CASES = [
    # Descriptions.
    ("options.types.bool.type.description", T, '"boolean"'),
    ("options.types.boolByOr.type.description", T, '"boolean (merged using or)"'),
    ("options.types.int.type.description", T, '"signed integer"'),
    ("options.types.float.type.description", T, '"floating point number"'),
    ("options.types.number.type.description", T, '"signed integer or floating point number"'),
    ("options.types.str.type.description", T, '"string"'),
    ("options.types.nonEmptyStr.type.description", T, '"non-empty string"'),
    (
        "options.types.singleLineStr.type.description",
        T,
        '"(optionally newline-terminated) single-line string"',
    ),
    ("options.types.lines.type.description", T, '"strings concatenated with \\"\\\\n\\""'),
    ("options.types.commas.type.description", T, '"strings concatenated with \\",\\""'),
    ("options.types.envVar.type.description", T, '"strings concatenated with \\":\\""'),
    ("options.types.spaces.type.description", T, '"strings concatenated with \\" \\""'),
    ("options.types.path.type.description", T, '"absolute path"'),
    ("options.types.pathInStore.type.description", T, '"path in the Nix store"'),
    ("options.types.package.type.description", T, '"package"'),
    ("options.types.shellPackage.type.description", T, '"shell package"'),
    (
        "options.types.port.type.description",
        T,
        '"16 bit unsigned integer; between 0 and 65535 (both inclusive)"',
    ),
    ("options.types.between.type.description", T, '"integer between -21 and 43 (both inclusive)"'),
    ("options.types.unsigned.type.description", T, '"unsigned integer, meaning >=0"'),
    ("options.types.positive.type.description", T, '"positive integer, meaning >0"'),
    (
        "options.types.u8.type.description",
        T,
        '"8 bit unsigned integer; between 0 and 255 (both inclusive)"',
    ),
    (
        "options.types.u16.type.description",
        T,
        '"16 bit unsigned integer; between 0 and 65535 (both inclusive)"',
    ),
    (
        "options.types.u32.type.description",
        T,
        '"32 bit unsigned integer; between 0 and 4294967295 (both inclusive)"',
    ),
    (
        "options.types.s8.type.description",
        T,
        '"8 bit signed integer; between -128 and 127 (both inclusive)"',
    ),
    (
        "options.types.s16.type.description",
        T,
        '"16 bit signed integer; between -32768 and 32767 (both inclusive)"',
    ),
    (
        "options.types.s32.type.description",
        T,
        '"32 bit signed integer; between -2147483648 and 2147483647 (both inclusive)"',
    ),
    ("options.types.enum.type.description", T, '"one of \\"a\\", \\"b\\", 3"'),
    ("options.types.enumSingle.type.description", T, '"value \\"only\\" (singular enum)"'),
    ("options.types.enumEmpty.type.description", T, '"impossible (empty enum)"'),
    ("options.types.nullOrInt.type.description", T, '"null or signed integer"'),
    ("options.types.nullOrEither.type.description", T, '"null or signed integer or string"'),
    ("options.types.listOfStr.type.description", T, '"list of string"'),
    ("options.types.listOfList.type.description", T, '"list of list of signed integer"'),
    ("options.types.listOfEither.type.description", T, '"list of (signed integer or string)"'),
    ("options.types.nonEmptyList.type.description", T, '"non-empty (list of signed integer)"'),
    ("options.types.attrsOfInt.type.description", T, '"attribute set of signed integer"'),
    (
        "options.types.attrsOfNullOr.type.description",
        T,
        '"attribute set of (null or signed integer)"',
    ),
    ("options.types.attrsOfList.type.description", T, '"attribute set of list of string"'),
    ("options.types.lazyAttrsOfInt.type.description", T, '"lazy attribute set of signed integer"'),
    ("options.types.submodule.type.description", T, '"submodule"'),
    ("options.types.deferred.type.description", T, '"module"'),
    ("options.types.either.type.description", T, '"signed integer or string"'),
    (
        "options.types.oneOf.type.description",
        T,
        '"signed integer or string or list of signed integer"',
    ),
    ("options.types.strMatching.type.description", T, '"string matching the pattern [a-z]+"'),
    ("options.types.anything.type.description", T, '"anything"'),
    ("options.types.raw.type.description", T, '"raw value"'),
    ("options.types.attrs.type.description", T, '"attribute set"'),
    ("options.types.unspecified.type.description", T, '"unspecified value"'),
    (
        "options.types.functionTo.type.description",
        T,
        '"function that evaluates to a(n) signed integer"',
    ),
    ("options.types.uniq.type.description", T, '"signed integer"'),
    ("options.types.coercedTo.type.description", T, '"string or signed integer convertible to it"'),
    ("options.types.addCheck.type.description", T, '"signed integer"'),
    (
        "options.types.passwdEntry.type.description",
        T,
        '"string, not containing newlines or colons"',
    ),
    (
        "options.types.numbersBetween.type.description",
        T,
        '"integer or floating point number between 0 and 1 (both inclusive)"',
    ),
    # Values that pass the checks, and how they merge.
    ("config.types.bool", T, "true"),
    ("config.types.boolByOr", T, "true"),
    ("config.types.int", T, "-5"),
    ("config.types.float", T, "1.5"),
    ("config.types.number", T, "2.5"),
    ("config.types.nonEmptyStr", T, '"x"'),
    ("config.types.singleLineStr", T, '"one line"'),
    ("config.types.lines", T, '"l1\\nl2"'),
    ("config.types.commas", T, '"c1,c2"'),
    ("config.types.envVar", T, '"/bin:/usr/bin"'),
    ("config.types.spaces", T, '"w1 w2"'),
    ("config.types.path", T, '"/etc/hosts"'),
    ("config.types.package.name", T, '"hello"'),
    ("config.types.port", T, "65535"),
    ("config.types.between", T, "-21"),
    ("config.types.unsigned", T, "0"),
    ("config.types.positive", T, "1"),
    ("config.types.u8", T, "255"),
    ("config.types.u32", T, "4294967295"),
    ("config.types.s8", T, "-128"),
    ("config.types.s16", T, "32767"),
    ("config.types.s32", T, "-2147483648"),
    ("config.types.enum", T, "3"),
    ("config.types.enumSingle", T, '"only"'),
    ("config.types.nullOrInt", T, "null"),
    ("config.types.nullOrEither", T, '"s"'),
    ("config.types.listOfStr", T, '[ "a" "b" ]'),
    ("config.types.listOfList", T, "[ [ 1 ] [ ] ]"),
    ("config.types.listOfEither", T, '[ 1 "two" ]'),
    ("config.types.attrsOfInt", T, "{ a = 1; b = 2; }"),
    ("config.types.attrsOfNullOr", T, "{ a = null; b = 1; }"),
    ("config.types.attrsOfList", T, '{ a = [ "x" "y" ]; }'),
    ("config.types.submodule", T, "{ x = 1; }"),
    ("config.types.either", T, "1"),
    ("config.types.oneOf", T, "[ 1 ]"),
    ("config.types.strMatching", T, '"abc"'),
    ("config.types.anything", T, "{ a = [ 1 ]; }"),
    ("builtins.attrNames config.types.raw", T, '[ "x" ]'),
    ("config.types.attrs", T, "{ a = 1; b = { y = 2; }; }"),
    ("config.types.unspecified", T, "[ 1 2 ]"),
    ("config.types.functionTo 1", T, "2"),
    ("config.types.uniq", T, "7"),
    ("config.types.unique", T, "8"),
    ("config.types.coercedTo", T, '"42"'),
    ("config.types.addCheck", T, "6"),
    ("config.types.passwdEntry", T, '"fine"'),
    ("config.types.numbersBetween", T, "0.5"),
    # Values that fail the checks, reported with the type and the value.
    ("config.types.bool", TB, bad("bool", "boolean", '"true"')),
    ("config.types.int", TB, bad("int", "signed integer", "1.5")),
    ("config.types.float", TB, bad("float", "floating point number", "1")),
    (
        "config.types.number",
        TB,
        neither(
            "number",
            "signed integer or floating point number",
            "signed integer",
            "floating point number",
            '"1"',
        ),
    ),
    ("config.types.str", TB, bad("str", "string", "1")),
    ("config.types.nonEmptyStr", TB, bad("nonEmptyStr", "non-empty string")),
    (
        "config.types.singleLineStr",
        TB,
        bad("singleLineStr", r"\(optionally newline-terminated\) single-line string"),
    ),
    ("config.types.lines", TB, bad("lines", r"strings concatenated with \"\\n\"", "1")),
    ("config.types.path", TB, bad("path", "absolute path", '"relative/path"')),
    ("config.types.pathInStore", TB, bad("pathInStore", "path in the Nix store", '"/foo/bar"')),
    ("config.types.package", TB, bad("package", "package", '"not a package"')),
    (
        "config.types.port",
        TB,
        bad("port", r"16 bit unsigned integer; between 0 and 65535 \(both inclusive\)", "-1"),
    ),
    (
        "config.types.between",
        TB,
        bad("between", r"integer between -21 and 43 \(both inclusive\)", "44"),
    ),
    ("config.types.unsigned", TB, bad("unsigned", "unsigned integer, meaning >=0", "-1")),
    ("config.types.positive", TB, bad("positive", "positive integer, meaning >0", "0")),
    (
        "config.types.u8",
        TB,
        bad("u8", r"8 bit unsigned integer; between 0 and 255 \(both inclusive\)", "256"),
    ),
    ("config.types.u16", TB, bad("u16", r"16 bit unsigned integer.*", "65536")),
    ("config.types.u32", TB, bad("u32", r"32 bit unsigned integer.*", "-1")),
    (
        "config.types.s8",
        TB,
        bad("s8", r"8 bit signed integer; between -128 and 127 \(both inclusive\)", "128"),
    ),
    ("config.types.s16", TB, bad("s16", r"16 bit signed integer.*", "-32769")),
    ("config.types.s32", TB, bad("s32", r"32 bit signed integer.*", "2147483648")),
    ("config.types.enum", TB, bad("enum", r"one of \"a\", \"b\", 3", '"c"')),
    (
        "config.types.enumSingle",
        TB,
        bad("enumSingle", r"value \"only\" \(singular enum\)", '"other"'),
    ),
    ("config.types.enumEmpty", TB, bad("enumEmpty", r"impossible \(empty enum\)", '"anything"')),
    ("config.types.nullOrInt", TB, bad("nullOrInt", "null or signed integer", '"x"')),
    (
        "config.types.listOfStr",
        TB,
        Err(
            r"A definition for option `types\.listOfStr\.\"\[definition 1-entry 2\]\"' is not of type `string'\. Definition values:\n\s*- In `.*define-types-bad\.dcl(:\d+)?': 2"
        ),
    ),
    (
        "config.types.listOfList",
        TB,
        Err(
            r"A definition for option `types\.listOfList\.\"\[definition 1-entry 1\]\"' is not of type `list of signed integer'"
        ),
    ),
    (
        "config.types.nonEmptyList",
        TB,
        bad("nonEmptyList", r"non-empty \(list of signed integer\)", r"\[ \]"),
    ),
    (
        "config.types.attrsOfInt",
        TB,
        Err(
            r"A definition for option `types\.attrsOfInt\.a' is not of type `signed integer'\. Definition values:\n\s*- In `.*define-types-bad\.dcl(:\d+)?': \"x\""
        ),
    ),
    (
        "config.types.attrsOfNullOr",
        TB,
        bad("attrsOfNullOr", r"attribute set of \(null or signed integer\)", r"\[ \]"),
    ),
    ("config.types.submodule", TB, bad("submodule", "submodule", "1")),
    (
        "config.types.either",
        TB,
        neither("either", "signed integer or string", "signed integer", "string", r"\[ \]"),
    ),
    (
        "config.types.oneOf",
        TB,
        neither(
            "oneOf",
            "signed integer or string or list of signed integer",
            "signed integer or string",
            "list of signed integer",
            "true",
        ),
    ),
    (
        "config.types.strMatching",
        TB,
        bad("strMatching", r"string matching the pattern \[a-z\]\+", '"ABC"'),
    ),
    ("config.types.attrs", TB, bad("attrs", "attribute set", r"\[ \]")),
    (
        "config.types.functionTo",
        TB,
        bad("functionTo", r"function that evaluates to a\(n\) signed integer", "1"),
    ),
    (
        "config.types.coercedTo",
        TB,
        bad("coercedTo", "string or signed integer convertible to it", r"\[ \]"),
    ),
    ("config.types.addCheck", TB, bad("addCheck", "signed integer", "5")),
    (
        "config.types.passwdEntry",
        TB,
        bad("passwdEntry", "string, not containing newlines or colons", '"a:b"'),
    ),
    (
        "config.types.numbersBetween",
        TB,
        bad(
            "numbersBetween",
            r"integer or floating point number between 0 and 1 \(both inclusive\)",
            "2",
        ),
    ),
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

ALL = CASES + TYPE_CASES + SUBMODULE_CASES + PRIORITY_CASES + RECORD_CASES + EVAL_CASES

# Cases where declos still differs from nixpkgs; each says why.
NOTYETPASSING: set[tuple[str, tuple[str, ...]]] = set()


def _marks(case):
    if (case[0], tuple(case[1])) in NOTYETPASSING:
        return pytest.param(*case, marks=pytest.mark.xfail(strict=True), id=case_id(case))
    return pytest.param(*case, id=case_id(case))


@pytest.mark.parametrize(("path", "modules", "expected", "args"), [_marks(c) for c in params(ALL)])
def test_module_table_more(path, modules, expected, args):
    run_case(path, modules, expected, args)
