"""String context builtins: encoding `path`, `=drv`, `!out!drv`."""

from __future__ import annotations

DRV = "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x.drv"
SRC = "/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-src"


def test_append_and_get(nix):
    expr = (
        f'builtins.getContext (builtins.appendContext "s" {{ "{DRV}" = {{ outputs = [ "out" "dev" ]; '
        f'allOutputs = true; path = true; }}; "{SRC}" = {{ path = true; }}; }})'
    )
    assert nix(expr) == (
        f'{{ "{DRV}" = {{ allOutputs = true; outputs = [ "dev" "out" ]; path = true; }}; '
        f'"{SRC}" = {{ path = true; }}; }}'
    )


def test_discard_output_dependency(nix):
    expr = (
        "builtins.getContext (builtins.unsafeDiscardOutputDependency "
        f'(builtins.appendContext "s" {{ "{DRV}" = {{ allOutputs = true; }}; }}))'
    )
    assert nix(expr) == f'{{ "{DRV}" = {{ path = true; }}; }}'


def test_add_drv_output_dependencies(nix, nix_error):
    expr = (
        "builtins.getContext (builtins.addDrvOutputDependencies "
        f'(builtins.appendContext "s" {{ "{DRV}" = {{ path = true; }}; }}))'
    )
    assert nix(expr) == f'{{ "{DRV}" = {{ allOutputs = true; }}; }}'
    assert (
        nix_error('builtins.addDrvOutputDependencies "s"')
        == "context of string 's' must have exactly one element, but has 0"
    )


def test_append_errors(nix_error):
    assert nix_error('builtins.appendContext "s" { "/tmp/x" = { path = true; }; }') == (
        "context key '/tmp/x' is not a store path"
    )
    assert nix_error(f'builtins.appendContext "s" {{ "{SRC}" = {{ allOutputs = true; }}; }}') == (
        f"tried to add all-outputs context of {SRC}, which is not a derivation, to a string"
    )


def test_discard(nix):
    assert (
        nix('builtins.hasContext (builtins.unsafeDiscardStringContext (builtins.toFile "a" "b"))')
        == "false"
    )
