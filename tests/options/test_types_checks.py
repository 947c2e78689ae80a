"""Module-system table (every type's description, the values that pass its check and how they
merge, and the values that fail it, reported with the type and the value).

Same harness as test_modules.py (module_table.py, with the shared
expectations); the expectations follow nixpkgs' lib/modules.nix and
lib/types.nix.  test_modsys_differential.py runs these cases both ways.
"""

from __future__ import annotations

from module_table import TB, Err, T, bad, neither, run_case, table

TYPE_CHECK_CASES = [
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
]


@table(TYPE_CHECK_CASES)
def test_table_types_checks(path, modules, expected, args):
    run_case(path, modules, expected, args)
