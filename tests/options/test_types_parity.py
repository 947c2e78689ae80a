"""Option types of nixpkgs 26.11 in `<declos/lib>`, from the NixOS manual's "Option
Types" section and the types' documentation: attrTag, pathWith and its instances,
serializableValueWith (json, toml), attrListOf/attrListWith, option valueMeta, the
`either` type-check warning, ad-hoc `type // { check }` overrides, open submodules.

Each case evaluates a small module set with `declos eval --strict` and looks at what a
user sees: the value, the type's description, or the error message.
"""

from __future__ import annotations

import re

import pytest
from module_table import fails, ok, run

LIB = "(import <declos/lib>)"


def modules(*mods: str, attr: str = "config") -> str:
    """`with (evalModules { modules = [ … ]; }); <attr>`, `lib` and `types` in scope."""
    return (
        f"let lib = {LIB}; inherit (lib) types mkOption; "
        f"r = lib.evalModules {{ modules = [ {' '.join(f'({m})' for m in mods)} ]; }}; in with r; {attr}"
    )


# --- attrTag ---------------------------------------------------------------------

ROUTER = """{
  options.rules = mkOption {
    type = types.attrsOf (types.attrTag {
      bounce = mkOption { type = types.submodule { options.message = mkOption { type = types.str; }; }; };
      forward = mkOption { type = types.submodule { options.to = mkOption { type = types.str; }; }; };
      drop = mkOption { type = types.submodule { }; };
    });
  };
}"""


def test_attrtag_description_lists_the_choices(capsys):
    out = ok(capsys, modules(ROUTER, attr="options.rules.type.description"))
    assert out == '"attribute set of attribute-tagged union with choices: bounce, drop, forward"'


def test_attrtag_value_is_the_chosen_tag_merged_by_its_option(capsys):
    defs = '{ rules.http.bounce.message = "use https"; rules.ssh.drop = { }; }'
    out = ok(capsys, modules(ROUTER, defs, attr="config.rules"))
    assert out == '{ http = { bounce = { message = "use https"; }; }; ssh = { drop = { }; }; }'


def test_attrtag_two_tags_in_one_value_is_not_of_the_type(capsys):
    defs = '{ rules.x = { drop = { }; forward.to = "a"; }; }'
    err = fails(capsys, modules(ROUTER, defs, attr="config.rules"))
    assert (
        "A definition for option `rules.x' is not of type `attribute-tagged union with choices: "
        "bounce, drop, forward'" in err
    )


def test_attrtag_defined_as_two_tags_in_two_modules(capsys):
    err = fails(
        capsys,
        modules(
            ROUTER, "{ rules.x.drop = { }; }", '{ rules.x.forward.to = "a"; }', attr="config.rules"
        ),
    )
    assert re.search(
        r"The option `rules\.x` is defined both as `(drop|forward)` and `(drop|forward)`", err
    )


def test_attrtag_tag_values_must_be_options(capsys):
    decl = "{ options.v = mkOption { type = types.attrTag { n = types.int; }; }; }"
    err = fails(capsys, modules(decl, "{ v.n = 1; }", attr="config.v"))
    assert (
        "In attrTag, each tag value must be an option, but tag n was a bare type, not wrapped in mkOption."
        in err
    )
    decl = "{ options.v = mkOption { type = types.attrTag { n = 3; }; }; }"
    err = fails(capsys, modules(decl, "{ v.n = 1; }", attr="config.v"))
    assert "but tag n was not." in err


def test_attrtag_sub_options_are_the_tags(capsys):
    out = ok(
        capsys,
        modules(ROUTER, attr='options.rules.type.getSubOptions [ "rules" "<name>" ] ? forward'),
    )
    assert out == "true"


# --- paths ------------------------------------------------------------------------

PATHS = """{ options = {
  abs = mkOption { type = types.path; };
  store = mkOption { type = types.pathInStore; };
  ext = mkOption { type = types.externalPath; };
  rel = mkOption { type = types.pathWith { absolute = false; }; };
}; }"""


@pytest.mark.parametrize(
    ("option", "description"),
    [
        ("abs", "absolute path"),
        ("store", "path in the Nix store"),
        ("ext", "absolute path not in the Nix store"),
        ("rel", "relative path"),
    ],
)
def test_path_type_descriptions(capsys, option, description):
    assert (
        ok(capsys, modules(PATHS, attr=f"options.{option}.type.description")) == f'"{description}"'
    )


@pytest.mark.parametrize(
    ("option", "value", "accepted"),
    [
        ("abs", '"/etc/hosts"', True),
        ("abs", '"etc/hosts"', False),
        ("store", '"${builtins.storeDir}/0fb3ykw9r5hpayd05sr0cizwadzq1d8q-bash-5.2"', True),
        (
            "store",
            '"${builtins.storeDir}/0fb3ykw9r5hpayd05sr0cizwadzq1d8q-bash-5.2/bin/bash"',
            True,
        ),
        ("store", '"${builtins.storeDir}"', False),
        ("store", '"${builtins.storeDir}/"', False),
        ("store", '"${builtins.storeDir}/.links"', False),
        ("store", '"/foo/bar"', False),
        ("ext", '"/run/secrets/password"', True),
        # A path value would be copied into the store when used: not external.
        ("ext", "/run/secrets/password", False),
        ("ext", '"${builtins.storeDir}/0fb3ykw9r5hpayd05sr0cizwadzq1d8q-secret"', False),
        ("ext", '"relative"', False),
        ("rel", '"a/b"', True),
        ("rel", '"/a/b"', False),
    ],
)
def test_path_types_accept_and_refuse(capsys, option, value, accepted):
    rc, out, err = run(
        capsys, modules(PATHS, f"{{ {option} = {value}; }}", attr=f"config.{option}")
    )
    if accepted:
        assert rc == 0, err
    else:
        assert rc == 1
        assert f"A definition for option `{option}' is not of type" in err


def test_path_with_in_store_must_be_absolute(capsys):
    err = fails(capsys, f"({LIB}).types.pathWith {{ inStore = true; absolute = false; }}")
    assert "In pathWith, inStore means the path must be absolute" in err


def test_path_types_merge_only_when_equal(capsys):
    decl = "{ options.p = mkOption { type = types.pathWith { inStore = true; }; }; }"
    ok(capsys, modules(decl, decl, attr="options.p.type.description"))
    other = "{ options.p = mkOption { type = types.externalPath; }; }"
    err = fails(capsys, modules(decl, other, attr="options.p.type.description"))
    assert "The option `p' in" in err and "is already declared in" in err


# --- serializable values ------------------------------------------------------------

SETTINGS = """{ options = {
  json = mkOption { type = types.serializableValueWith { typeName = "JSON"; }; };
  toml = mkOption { type = types.toml; };
}; }"""


def test_serializable_value_description(capsys):
    assert ok(capsys, modules(SETTINGS, attr="options.json.type.description")) == '"JSON value"'
    assert ok(capsys, modules(SETTINGS, attr="options.toml.type.description")) == '"TOML value"'
    assert ok(capsys, f"({LIB}).types.json.description") == '"JSON value"'


def test_serializable_value_merges_nested_sets_and_lists(capsys):
    out = ok(
        capsys,
        modules(
            SETTINGS,
            "{ json = { a.b = 1; list = [ 1 ]; n = null; }; }",
            '{ json = { a.c = [ "x" 2.5 true ]; list = [ 2 ]; }; }',
            attr="config.json",
        ),
    )
    assert out == '{ a = { b = 1; c = [ "x" 2.5 true ]; }; list = [ 1 2 ]; n = null; }'


def test_serializable_value_refuses_functions_and_toml_null(capsys):
    err = fails(capsys, modules(SETTINGS, "{ json.f = x: x; }", attr="config.json"))
    assert "A definition for option `json.f' is not of type `JSON value'" in err
    err = fails(capsys, modules(SETTINGS, "{ toml.a = null; }", attr="config.toml"))
    assert "A definition for option `toml.a' is not of type `TOML value'" in err


# --- attribute lists ----------------------------------------------------------------

FLAGS = """{ options = {
  flags = mkOption { type = types.attrListOf types.int; default = [ ]; };
  byName = mkOption { type = types.attrListWith { elemType = types.int; asAttrs = true; }; };
  summed = mkOption {
    type = types.attrListWith { elemType = types.int; asAttrs = true; mergeAttrValues = _: builtins.foldl' builtins.add 0; };
  };
}; }"""


def test_attr_list_description(capsys):
    out = ok(capsys, modules(FLAGS, attr="options.flags.type.description"))
    assert out == '"attribute list of signed integer"'


def test_attr_list_concatenates_lists_and_sets_in_definition_order(capsys):
    out = ok(
        capsys,
        modules(
            FLAGS,
            "{ flags = [ { b = 2; } { a = 1; } ]; }",
            "{ flags = { z = 26; c = 3; }; }",
            attr="config.flags",
        ),
    )
    assert out == "[ { b = 2; } { a = 1; } { c = 3; } { z = 26; } ]"


def test_attr_list_orders_by_mkorder(capsys):
    out = ok(
        capsys,
        modules(
            FLAGS,
            "{ flags = [ { late = 1; } (lib.mkBefore { early = 0; }) ]; }",
            "{ flags = { first = lib.mkOrder 100 9; last = lib.mkAfter 2; }; }",
            attr="config.flags",
        ),
    )
    assert out == "[ { first = 9; } { early = 0; } { late = 1; } { last = 2; } ]"


def test_attr_list_mkforce_decides_per_name(capsys):
    out = ok(
        capsys,
        modules(
            FLAGS,
            "{ flags = [ { a = 1; } { b = 2; } { a = 3; } ]; }",
            "{ flags.a = lib.mkForce 7; }",
            attr="config.flags",
        ),
    )
    assert out == "[ { b = 2; } { a = 7; } ]"


def test_attr_list_as_attrs(capsys):
    defs = "{ byName = [ { a = 1; } { b = 2; } { a = 3; } ]; summed = [ { a = 1; } { a = 3; } ]; }"
    assert ok(capsys, modules(FLAGS, defs, attr="config.byName")) == "{ a = [ 1 3 ]; b = [ 2 ]; }"
    assert ok(capsys, modules(FLAGS, defs, attr="config.summed")) == "{ a = 4; }"
    out = ok(capsys, modules(FLAGS, defs, attr="options.byName.valueMeta.attrListValue"))
    assert out == "[ { a = 1; } { b = 2; } { a = 3; } ]"


def test_attr_list_elements_must_be_single_attribute_sets(capsys):
    err = fails(capsys, modules(FLAGS, "{ flags = [ { a = 1; b = 2; } ]; }", attr="config.flags"))
    assert (
        "A definition for option `flags' is not of type `attribute list of signed integer'. "
        "Each list element must be a single-key attribute set, but got 2 keys." in err
    )
    err = fails(capsys, modules(FLAGS, "{ flags = [ 1 ]; }", attr="config.flags"))
    assert "Each list element must be an attribute set, but got int." in err
    err = fails(capsys, modules(FLAGS, '{ flags = [ { a = "x"; } ]; }', attr="config.flags"))
    assert "A definition for option `flags.a' is not of type `signed integer'" in err


# --- valueMeta ----------------------------------------------------------------------

SUBS = """{ options = {
  byName = mkOption { type = types.attrsOf (types.submodule { options.port = mkOption { type = types.int; }; }); };
  inList = mkOption { type = types.listOf (types.submodule { options.port = mkOption { type = types.int; }; }); };
  one = mkOption { type = types.submodule { options.port = mkOption { type = types.int; }; }; };
}; }"""


def test_value_meta_forwards_submodule_configurations(tmp_path, capsys):
    defs = tmp_path / "defs.dcl"
    defs.write_text(
        "{\n  byName.web.port = 80;\n  inList = [ { port = 22; } ];\n  one.port = 1;\n}\n"
    )
    expr = modules(
        SUBS,
        str(defs),
        attr="options.byName.valueMeta.attrs.web.configuration.options.port",
    )
    assert ok(capsys, expr + ".value") == "80"
    assert ok(capsys, expr + ".files") == f'[ "{defs}" ]'
    expr = modules(
        SUBS, str(defs), attr="(builtins.head options.inList.valueMeta.list).configuration"
    )
    assert ok(capsys, expr + ".options.port.value") == "22"
    assert (
        ok(capsys, modules(SUBS, str(defs), attr="options.one.valueMeta.configuration.config.port"))
        == "1"
    )


def test_value_meta_of_a_plain_type_is_empty(capsys):
    decl = "{ options.n = mkOption { type = types.int; default = 1; }; }"
    assert ok(capsys, modules(decl, attr="options.n.valueMeta")) == "{ }"


# --- either ---------------------------------------------------------------------------


def test_either_refusing_both_members_says_so(capsys):
    decl = "{ options.v = mkOption { type = types.either types.int types.str; }; }"
    err = fails(capsys, modules(decl, "{ v = [ ]; }", attr="config.v"))
    assert (
        "The option `v` is neither a value of type `signed integer` nor `string`, Definition values:"
        in err
    )


def test_either_as_freeform_type_warns(capsys):
    decl = "{ freeformType = types.either types.int types.str; }"
    rc, out, err = run(capsys, modules(decl, "{ a = 1; }", attr="config"))
    assert "One or more definitions did not pass the type-check of the 'either' type." in err
    assert "ensure that it is preceded by an 'attrsOf'" in err


# --- ad-hoc check overrides -------------------------------------------------------


def test_adhoc_check_override_of_a_v2_type_is_an_error(capsys):
    decl = "{ options.l = mkOption { type = types.listOf types.str // { check = x: false; }; }; }"
    err = fails(capsys, modules(decl, '{ l = [ "a" ]; }', attr="config.l"))
    assert "The option `l' has a type `list of string' that uses" in err
    assert "an ad-hoc `type // { check = ...; }' override, which is incompatible with" in err
    assert "Please use `lib.types.addCheck` instead" in err


def test_add_check_on_a_v2_type_checks_the_merged_definitions(capsys):
    decl = "{ options.l = mkOption { type = types.addCheck (types.listOf types.int) (l: builtins.length l < 3); }; }"
    assert ok(capsys, modules(decl, "{ l = [ 1 2 ]; }", attr="config.l")) == "[ 1 2 ]"
    err = fails(capsys, modules(decl, "{ l = [ 1 2 3 ]; }", attr="config.l"))
    assert "A definition for option `l' is not of type `list of signed integer'" in err


# --- submodule descriptions ---------------------------------------------------------


def test_submodule_with_freeform_type_is_open(capsys):
    decl = "{ options.s = mkOption { type = types.submodule { freeformType = types.attrsOf types.str; }; }; }"
    out = ok(capsys, modules(decl, attr="options.s.type.description"))
    assert out == '"open submodule of attribute set of string"'
    decl = "{ options.s = mkOption { type = types.submodule { }; }; }"
    assert ok(capsys, modules(decl, attr="options.s.type.description")) == '"submodule"'
