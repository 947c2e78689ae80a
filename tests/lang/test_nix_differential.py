"""The golden corpus against real Nix: `nix-instantiate --parse` must accept
every parse-okay case and reject every parse-fail case.

Each case is given to Nix as `with { }; <case>` so that free variables, which
Nix's `--parse` reports as errors, resolve dynamically; that wrapper accepts
exactly the expressions the bare case would.  Cases named `*pipe*` are
skipped: Nix 2.8 predates the `|>` and `<|` operators.  For okay cases Nix
must also parse our printed form (the `.exp`) to the same tree as the
original, compared through `nix-instantiate --parse`'s own output.  Skipped entirely when
nix-instantiate is not installed.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from nix_oracle import run_nix

GOLDEN = Path(__file__).resolve().parent / "golden"
NIX = shutil.which("nix-instantiate")

pytestmark = pytest.mark.skipif(NIX is None, reason="nix-instantiate is not installed")


def cases(kind: str) -> list:
    return [
        pytest.param(p, id=p.stem)
        for p in sorted(GOLDEN.glob(f"parse-{kind}-*.dcl"))
        if "pipe" not in p.stem
    ]


def nix_parse(case: Path, tmp_path: Path, text: bytes | None = None):
    wrapped = tmp_path / case.name
    wrapped.write_bytes(b"with { }; " + (case.read_bytes() if text is None else text))
    return run_nix(
        [NIX, "--parse", str(wrapped)],
        errors="replace",
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NIX_PATH": "nixpkgs=/nonexistent"},
    )


@pytest.mark.parametrize("case", cases("okay"))
def test_nix_accepts(case: Path, tmp_path: Path):
    result = nix_parse(case, tmp_path)
    assert result.returncode == 0, result.stderr


_ADJACENT_LITERALS = re.compile(r'" \+ "')
_EMPTY_FIRST = re.compile(r'\("" \+ ')
_LONE_STRING = re.compile(r'\(("(?:[^"\\]|\\.)*")\)')


def normalize(nix_output: str) -> str:
    """Undo a representation detail of Nix 2.8: it keeps the pieces of an
    indented string apart (`("a " + "\\$" + " b")`, `("" + x)`), where
    declos merges adjacent literals.  Applied to both sides alike."""
    text = nix_output
    while True:
        new = _LONE_STRING.sub(r"\1", _EMPTY_FIRST.sub("(", _ADJACENT_LITERALS.sub("", text)))
        if new == text:
            return text
        text = new


@pytest.mark.parametrize("case", cases("okay"))
def test_nix_reads_printed_form_the_same(case: Path, tmp_path: Path):
    """Nix's own parse of our printed form equals its parse of the original."""
    printed = case.with_suffix(".exp").read_bytes()
    original = nix_parse(case, tmp_path)
    again = nix_parse(case, tmp_path, printed)
    assert again.returncode == 0, again.stderr
    assert normalize(again.stdout) == normalize(original.stdout)


@pytest.mark.parametrize("case", cases("fail"))
def test_nix_rejects(case: Path, tmp_path: Path):
    result = nix_parse(case, tmp_path)
    assert result.returncode != 0, result.stdout
