"""Module-system and lib behaviour of nixpkgs 26.11 in `<declos/lib>`, from the lib
manual and the module-system chapter: lib.fileset (and types.fileset), lib.gvariant,
lib.modules.mergeAttrDefinitionsWithPrio and importApply, evalModules' `graph`,
`_class` checks, doRename's `condition`, declaration positions of options declared in
submodules, unsafeGetAttrPos after mapAttrs (`discardPositions`), the hint for
`imports` that depend on `config`, every unknown option in one error, and
`--option abort-on-warn`.  Where the behaviour is the language's, real Nix is the
oracle (skipped without nix-instantiate).
"""

from __future__ import annotations

import pytest
from module_table import fails, ok, run
from nix_oracle import NIX_INSTANTIATE, run_nix

from declos.cli import main

LIB = "(import <declos/lib>)"
needs_nix = pytest.mark.skipif(NIX_INSTANTIATE is None, reason="nix-instantiate is not installed")


def evaluated(mods: list[str], attr: str, args: str = "") -> str:
    return (
        f"let lib = {LIB}; inherit (lib) types mkOption; "
        f"r = lib.evalModules {{ modules = [ {' '.join(f'({m})' for m in mods)} ]; {args} }}; "
        f"in with r; {attr}"
    )


# --- lib.fileset ----------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path):
    for name, text in {
        "src/a.c": "a",
        "src/b.h": "b",
        "src/sub/c.c": "c",
        "README": "r",
        "docs/x.md": "x",
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_fileset_operations(capsys, tree):
    t = tree
    fs = f"{LIB}.fileset"
    cases = {
        f"{fs}.unions [ {t}/src {t}/README ]": ["README", "src/a.c", "src/b.h", "src/sub/c.c"],
        f'{fs}.fileFilter (f: f.hasExt "c") {t}': ["src/a.c", "src/sub/c.c"],
        f"{fs}.difference {t} {t}/src": ["README", "docs/x.md"],
        f'{fs}.intersection {t}/src ({fs}.fileFilter (f: f.name == "b.h") {t})': ["src/b.h"],
        f"{fs}.union {t}/docs ({fs}.maybeMissing {t}/missing)": ["docs/x.md"],
    }
    for expr, files in cases.items():
        out = ok(capsys, f"{fs}.toList ({expr})")
        assert out == "[ " + " ".join(f"{t}/{f}" for f in files) + " ]", expr


def test_fileset_errors_name_the_function_and_argument(capsys, tree):
    fs = f"{LIB}.fileset"
    err = fails(capsys, f"{fs}.toList ({fs}.unions [ {tree}/src {tree}/missing ])")
    assert f"lib.fileset.unions: Element 1 ({tree}/missing) is a path that does not exist." in err
    assert "use `lib.fileset.maybeMissing`" in err
    err = fails(capsys, f'{fs}.toList ({fs}.union "{tree}/src" {tree}/docs)')
    assert "lib.fileset.union: First argument (" in err and "is a string-like value" in err
    err = fails(capsys, f"{fs}.toSource {{ root = {tree}/src; fileset = {tree}; }}")
    assert (
        f"lib.fileset.toSource: `fileset` could contain files in {tree}, which is not under the `root` ({tree}/src)."
        in err
    )


@needs_nix
def test_fileset_to_source_is_the_filtered_copy_nix_makes(capsys, tree, tmp_path_factory):
    ours = ok(capsys, f"{LIB}.fileset.toSource {{ root = {tree}; fileset = {tree}/src; }}")
    src = f"{tree}/src"
    store = tmp_path_factory.mktemp("nixroot")
    theirs = run_nix(
        [
            NIX_INSTANTIATE,
            "--store",
            str(store),
            "--eval",
            "--read-write-mode",
            "-E",
            f'builtins.path {{ name = "source"; path = {tree}; filter = p: t: p == "{src}" '
            f'|| builtins.substring 0 {len(src) + 1} p == "{src}/"; }}',
        ],
        check=True,
    )
    assert ours == theirs.stdout.strip()


def test_fileset_option_type_unites_definitions(capsys, tree):
    decl = "{ options.files = mkOption { type = types.fileset; }; }"
    expr = evaluated(
        [decl, f"{{ files = {tree}/docs; }}", f"{{ files = {tree}/README; }}"],
        "lib.fileset.toList config.files",
    )
    assert ok(capsys, expr) == f"[ {tree}/README {tree}/docs/x.md ]"
    assert ok(capsys, evaluated([decl], "options.files.type.description")) == '"fileset"'


# --- lib.gvariant ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ('mkValue [ "a" "b" ]', "@as ['a','b']"),
        ("mkValue true", "true"),
        ("mkValue 2.5", "2.500000"),
        ('mkValue "it\'s"', "'it\\\\'s'"),
        ("mkUint32 3", "@u 3"),
        ("mkInt32 (-3)", "-3"),
        ("mkInt64 9", "@x 9"),
        ("mkUchar 7", "@y 7"),
        ('mkTuple [ true (mkUint32 3) "s" ]', "@(bus) (true,@u 3,'s')"),
        ("mkEmptyArray type.string", "@as []"),
        ('mkJust "x"', "just 'x'"),
        ("mkNothing type.int32", "@mi nothing"),
        ("mkVariant (mkInt32 1)", "<1>"),
        ('mkDictionaryEntry "k" (mkInt32 1)', "@{si} {'k',1}"),
        ('mkArray [ (mkDictionaryEntry "k" true) ]', "@a{sb} [@{sb} {'k',true}]"),
        ('mkObjectpath "/org/x"', "objectpath '/org/x'"),
    ],
)
def test_gvariant_text(capsys, value, text):
    out = ok(capsys, f"with {LIB}.gvariant; toString ({value})")
    assert out == '"' + text.replace('"', '\\"') + '"'


def test_gvariant_refuses_what_it_cannot_type(capsys):
    err = fails(capsys, f"{LIB}.gvariant.mkValue 70000")
    assert "The GVariant type for number “70000” is unclear." in err
    assert "- `lib.gvariant.mkInt32` for `int32`" in err and "mkUint16" not in err
    err = fails(capsys, f'toString ({LIB}.gvariant.mkValue [ true "a" ])')
    assert "Elements in a list should have same type." in err
    err = fails(capsys, f"{LIB}.gvariant.mkValue {{ a = 1; }}")
    assert "Cannot construct GVariant value from an attribute set." in err


# --- lib.modules helpers ------------------------------------------------------------


def test_merge_attr_definitions_with_prio(capsys):
    decl = "{ options.env = mkOption { type = types.attrsOf types.int; }; }"
    out = ok(
        capsys,
        evaluated(
            [
                decl,
                "{ env = { a = lib.mkDefault 1; b = 2; c = lib.mkForce 3; }; }",
                "{ env.b = 2; }",
            ],
            "lib.modules.mergeAttrDefinitionsWithPrio options.env",
        ),
    )
    assert out == (
        "{ a = { highestPrio = 1000; value = 1; }; b = { highestPrio = 100; value = 2; }; "
        "c = { highestPrio = 50; value = 3; }; }"
    )
    decl = "{ options.n = mkOption { type = types.int; default = 1; }; }"
    err = fails(capsys, evaluated([decl], "lib.modules.mergeAttrDefinitionsWithPrio options.n"))
    assert "mergeAttrDefinitionsWithPrio: the option `n' is of type `signed integer'" in err


def test_import_apply_keeps_the_file_name(capsys, tmp_path):
    mod = tmp_path / "service.dcl"
    mod.write_text(
        "flavour: { lib, ... }: {\n"
        "  options.flavour = lib.mkOption { type = lib.types.str; default = flavour; };\n"
        "  config.flavour = 3;\n"
        "}\n"
    )
    expr = evaluated([f'{LIB}.modules.importApply {mod} "vanilla"'], "config.flavour")
    err = fails(capsys, expr)
    assert f"- In `{mod}" in err
    expr = evaluated(
        [f'{LIB}.importApply {mod} "vanilla"', '{ flavour = lib.mkForce "x"; }'],
        "options.flavour.declarations",
    )
    assert ok(capsys, expr) == f'[ "{mod}" ]'


def test_eval_modules_graph(capsys, tmp_path):
    (tmp_path / "a.dcl").write_text("{ imports = [ { imports = [ { } ]; } ]; }\n")
    (tmp_path / "b.dcl").write_text(
        '{ disabledModules = [ ./b.dcl ]; imports = [ { key = "explicit-key"; } ]; }\n'
    )
    a, b = tmp_path / "a.dcl", tmp_path / "b.dcl"
    out = ok(capsys, evaluated(["{ }", "args: { }", str(a), str(b)], "graph"))

    def node(key, file, imports="[ ]", disabled="false"):
        return f'{{ disabled = {disabled}; file = "{file}"; imports = {imports}; key = "{key}"; }}'

    inner = node(f"{a}:anon-1:anon-1", a)
    expected = [
        node(":anon-1", "<unknown-file>"),
        node(":anon-2", "<unknown-file>"),
        node(str(a), a, f"[ {node(f'{a}:anon-1', a, f'[ {inner} ]')} ]"),
        node(str(b), b, f"[ {node('explicit-key', b)} ]", "true"),
    ]
    assert out == "[ " + " ".join(expected) + " ]"


def test_module_class_is_checked(capsys, tmp_path):
    darwin = tmp_path / "darwin.dcl"
    darwin.write_text('{ _class = "darwin"; config = { }; }\n')
    err = fails(capsys, evaluated([str(darwin)], "config", 'class = "nixos";'))
    assert f"The module {darwin} was imported into nixos instead of darwin." in err
    assert ok(capsys, evaluated([str(darwin)], "class", 'class = "darwin";')) == '"darwin"'
    sub = (
        '{ options.s = mkOption { default = { }; type = types.submoduleWith { class = "nixos"; '
        f"modules = [ {darwin} ]; }}; }}; }}"
    )
    err = fails(capsys, evaluated([sub], "config.s"))
    assert "was imported into nixos instead of darwin." in err


@pytest.mark.parametrize(("condition", "value"), [("true", "8080"), ("false", "80")])
def test_renamed_option_condition(capsys, condition, value):
    decl = "{ options.port = mkOption { type = types.int; default = 80; }; }"
    rename = (
        f'lib.mkRenamedOptionModuleWith {{ from = [ "oldPort" ]; to = [ "port" ]; '
        f"sinceRelease = 2405; condition = {condition}; }}"
    )
    assert ok(capsys, evaluated([decl, rename, "{ oldPort = 8080; }"], "config.port")) == value


def test_declaration_positions_in_submodules(capsys, tmp_path):
    mod = tmp_path / "positions.dcl"
    mod.write_text(
        "{ lib, options, ... }:\n"
        "let discardPositions = lib.mapAttrs (k: v: v); in\n"
        "{\n"
        "  options.generated = discardPositions { gen = lib.mkOption { type = lib.types.int; }; };\n"
        "  options.sub = lib.mkOption {\n"
        "    default = { };\n"
        "    type = lib.types.submoduleWith {\n"
        "      modules = [ ({ ... }: {\n"
        "        options.inner = lib.mkOption { default = 1; };\n"
        "      }) ];\n"
        "    };\n"
        "  };\n"
        "  imports = [ {\n"
        "    options.sub.extra = lib.mkOption { default = 2; };\n"
        "  } ];\n"
        "}\n"
    )
    sub = "(options.sub.type.getSubOptions [ ])"
    lines = (
        f"map (p: p.line) ({sub}.inner.declarationPositions ++ {sub}.extra.declarationPositions)"
    )
    assert ok(capsys, evaluated([str(mod)], lines)) == "[ 9 14 ]"
    # A generated set has no positions: the file is still known.
    out = ok(capsys, evaluated([str(mod)], "options.generated.gen.declarationPositions"))
    assert out == f'[ {{ column = null; file = "{mod}"; line = null; }} ]'


@needs_nix
def test_attribute_positions_after_builtins_as_nix(capsys, tmp_path):
    f = tmp_path / "pos.nix"
    f.write_text(
        "let\n"
        "  p = n: s: let r = builtins.unsafeGetAttrPos n s; in if r == null then null else r.line;\n"
        "  a = { x = 1; y = 2; };\n"
        "in [\n"
        '  (p "x" a)\n'
        '  (p "x" (builtins.mapAttrs (k: v: v) a))\n'
        '  (p "x" (a // { z = 3; }))\n'
        '  (p "z" (a // { z = 3; }))\n'
        '  (p "x" (builtins.removeAttrs a [ "y" ]))\n'
        '  (p "x" (builtins.intersectAttrs { x = 0; } a))\n'
        '  (p "x" (builtins.listToAttrs [ { name = "x"; value = 1; } ]))\n'
        '  (p "x" (builtins.zipAttrsWith (n: v: v) [ a ]))\n'
        "]\n"
    )
    capsys.readouterr()
    assert main(["eval", "--strict", str(f)]) == 0
    ours = capsys.readouterr().out
    assert ours == run_nix([NIX_INSTANTIATE, "--eval", "--strict", str(f)], check=True).stdout
    assert ours == "[ 3 null 3 8 3 3 11 null ]\n"


def test_definition_lines_survive_mkif(capsys, tmp_path):
    # mapAttrs copies have no positions; the module system still knows the line.
    decl = "{ options.n = mkOption { type = types.int; }; }"
    mod = tmp_path / "defs.dcl"
    mod.write_text('{ lib, ... }:\n{\n  config = lib.mkIf true {\n    n = "x";\n  };\n}\n')
    err = fails(capsys, evaluated([decl, str(mod)], "config.n"))
    assert f'- In `{mod}:4\': "x"' in err


def test_imports_depending_on_config_get_the_hint(capsys, tmp_path):
    mod = tmp_path / "cond.dcl"
    mod.write_text(
        "{ config, lib, ... }:\n"
        "{\n"
        "  imports = if config.enable then [ ] else [ ];\n"
        '  options.enable = lib.mkEnableOption "x";\n'
        "}\n"
    )
    err = fails(capsys, evaluated([str(mod)], "config.enable"))
    assert (
        "if you get an infinite recursion here, you probably reference `config` in `imports`."
        in err
    )
    assert "infinite recursion encountered" in err
    assert f"at {mod}:3:" in err


def test_every_unknown_option_in_one_run(capsys, tmp_path):
    mod = tmp_path / "typos.dcl"
    mod.write_text(
        "{ lib, ... }:\n"
        "{\n"
        "  options.services.web.port = lib.mkOption { type = lib.types.port; };\n"
        '  options.enable = lib.mkEnableOption "it";\n'
        "  config = {\n"
        "    enabel = true;\n"
        "    services.web.prot = 80;\n"
        "  };\n"
        "}\n"
    )
    err = fails(capsys, evaluated([str(mod)], "config"))
    assert (
        f"The option `enabel' does not exist. Definition values:\n       - In `{mod}:6': true\n       Did you mean `enable'?"
        in err
    )
    assert (
        f"The option `services.web.prot' does not exist. Definition values:\n       - In `{mod}:7': 80\n       Did you mean `services.web.port'?"
        in err
    )


# --- --option abort-on-warn ---------------------------------------------------------


def test_abort_on_warn(capsys):
    rc, out, err = run(capsys, 'builtins.warn "careful" 1')
    assert (rc, out, err) == (0, "1\n", "evaluation warning: careful\n")
    for expr in (
        'builtins.warn "careful" 1',
        f'{LIB}.warn "careful" 1',
        'builtins.tryEval (builtins.warn "careful" 1)',
    ):
        err = fails(capsys, expr, "--option", "abort-on-warn", "true")
        assert err.startswith("evaluation warning: careful\n")
        assert "error: aborting to reveal stack trace of warning, as abort-on-warn is set" in err
    rc, _out, err = run(capsys, "1", "--option", "abort-on-warn", "sometimes")
    assert rc == 2 and "Boolean setting 'abort-on-warn' has invalid value 'sometimes'" in err
