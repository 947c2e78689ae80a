"""`declos store export` / `import`: paths as a stream, all or nothing, and
Nix's `nix-store --export` / `--import` on the other end.

The stream of a state directory is imported into an empty state directory
at the same place (store paths name their store directory), as a deploy
does on a target.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from cache_helpers import builds_run, fresh_state, leftovers, nix_store_url, run
from nix_oracle import run_nix, without_nix_warnings
from store_helpers import PKGS

SMALL = (
    PKGS
    + """rec {
  text = writeText "greeting" "hello";
  script = writeShellScriptBin "greet" "cat ${text}";
  all = runCommand "all" { inherit text script; } ''
    mkdir -p $out/d; ln -s $script/bin/greet $out/greet; cp $text $out/d/copy; echo "$text" > $out/ref
  '';
}
"""
)


@pytest.fixture
def built(tmp_path):
    """(state dir, the `all` output, its closure as path-info rows, the export stream)."""
    state = tmp_path / "state"
    (tmp_path / "small.dcl").write_text(SMALL)
    out = run(state, "build", str(tmp_path / "small.dcl"), "-A", "all", "--no-out-link")
    top = out.stdout.strip()
    stream = run(state, "store", "export", "--closure", top, text=False).stdout
    infos = json.loads(run(state, "store", "path-info", "--json", top, *_refs(state, top)).stdout)
    return state, top, infos, stream


def _refs(state, path) -> list[str]:
    rows = json.loads(run(state, "store", "path-info", "--json", path).stdout)
    return [r for r in rows[0]["references"] if r != path]


def _valid(state) -> list[str]:
    import sqlite3

    db = os.path.join(state, "db.sqlite")
    if not os.path.exists(db):
        return []
    with sqlite3.connect(db) as c:
        return [r[0] for r in c.execute("SELECT path FROM ValidPaths")]


def _strip(rows):
    return sorted(
        ({k: r[k] for k in ("path", "narHash", "narSize", "references", "deriver")} for r in rows),
        key=lambda r: r["path"],
    )


def test_export_then_import_into_a_fresh_state_dir(built):
    state, top, infos, stream = built
    assert stream.endswith(b"\0" * 8)
    fresh_state(state)
    out = run(state, "store", "import", input=stream)
    imported = out.stdout.split()
    assert top == imported[-1]  # references first
    assert set(imported) == {r["path"] for r in infos}
    assert builds_run(state) == 0
    after = json.loads(run(state, "store", "path-info", "--json", *imported).stdout)
    assert _strip(after) == _strip(infos)  # hashes, sizes, references, derivers
    assert os.readlink(os.path.join(top, "greet")).endswith("/bin/greet")
    with open(os.path.join(top, "d", "copy")) as f:
        assert f.read() == "hello"
    run(state, "store", "verify", "--check-contents")
    again = run(state, "store", "import", input=stream)  # already valid: nothing changes
    assert again.stdout.split() == imported


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.5, 0.9, 1.0])
def test_a_truncated_stream_registers_nothing(built, fraction):
    state, top, _, stream = built
    cut = max(1, min(len(stream) - 1, int(len(stream) * fraction)))
    fresh_state(state)
    proc = run(state, "store", "import", input=stream[:cut], check=1)
    assert "truncated" in proc.stderr
    assert _valid(state) == []
    assert leftovers(state) == []
    assert not os.path.exists(top)


def test_a_corrupt_nar_is_refused_and_registers_nothing(built):
    state, top, _, stream = built
    i = stream.rindex(b"hello")  # in the last path's NAR (`all`'s copy of the text)
    bad = stream[:i] + b"jello" + stream[i + 5 :]
    fresh_state(state)
    proc = run(state, "store", "import", input=bad, check=1)
    assert "NAR hash mismatch" in proc.stderr and "standard input" in proc.stderr
    assert _valid(state) == [] and leftovers(state) == []


def test_garbage_and_trailing_data_are_refused(built):
    state, _, _, stream = built
    fresh_state(state)
    proc = run(state, "store", "import", input=b"\x07" + b"\0" * 7, check=1)
    assert "does not look like something made by" in proc.stderr
    proc = run(state, "store", "import", input=stream + b"x", check=1)
    assert "trailing data" in proc.stderr
    assert _valid(state) == [] and leftovers(state) == []


def test_a_path_without_its_references_is_refused(built):
    state, top, _, _ = built
    alone = run(state, "store", "export", top, text=False).stdout
    fresh_state(state)
    proc = run(state, "store", "import", input=alone, check=1)
    assert "is neither valid in this store nor among the paths received" in proc.stderr
    assert _valid(state) == []


def test_export_of_an_invalid_or_modified_path(built, tmp_path):
    state, top, _, _ = built
    proc = run(state, "store", "export", str(tmp_path), check=1)
    assert "is not in the Nix store" in proc.stderr
    copy = os.path.join(top, "d", "copy")
    os.chmod(os.path.dirname(copy), 0o755)
    os.chmod(copy, 0o644)
    with open(copy, "w") as f:
        f.write("changed")
    proc = run(state, "store", "export", top, check=1)
    assert "was modified since it became valid" in proc.stderr


@pytest.fixture
def nix_store():
    if shutil.which("nix-store") is None:
        pytest.skip("Nix is not installed")


def _nix_bytes(argv: list[str], data: bytes | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(argv, input=data, capture_output=True)
    assert proc.returncode == 0, without_nix_warnings(proc.stderr.decode(errors="replace"))
    return proc


def test_nix_store_import_reads_declos_export(built, nix_store, tmp_path):
    state, top, infos, stream = built
    url = nix_store_url(tmp_path / "nixroot", f"{state}/store")
    proc = _nix_bytes(["nix-store", "--store", url, "--import"], stream)
    assert top in proc.stdout.decode().split()
    info = run_nix(
        ["nix", "--extra-experimental-features", "nix-command", "path-info", "--store", url]
        + ["--json", "--recursive", top]
    )
    theirs = {r["path"]: r for r in json.loads(info.stdout)}
    for row in infos:
        assert theirs[row["path"]]["narSize"] == row["narSize"]
        assert sorted(theirs[row["path"]]["references"]) == sorted(row["references"])
    check = run_nix(["nix-store", "--store", url, "--verify-path", top])
    assert check.returncode == 0, check.stderr


def test_declos_import_reads_nix_store_export(built, nix_store, tmp_path):
    """Nix's stream carries no NAR hash: the paths take the hash they arrive with."""
    state, top, infos, stream = built
    url = nix_store_url(tmp_path / "nixroot", f"{state}/store")
    _nix_bytes(["nix-store", "--store", url, "--import"], stream)
    paths = [r["path"] for r in infos]
    theirs = _nix_bytes(["nix-store", "--store", url, "--export", *paths])
    fresh_state(state)
    out = run(state, "store", "import", input=theirs.stdout)
    assert set(out.stdout.split()) == set(paths)
    after = json.loads(run(state, "store", "path-info", "--json", *paths).stdout)
    assert [(r["narHash"], r["references"]) for r in _strip(after)] == [
        (r["narHash"], r["references"]) for r in _strip(infos)
    ]
    run(state, "store", "verify", "--check-contents")


def test_missing_lists_what_a_copy_must_send(built):
    state, top, infos, stream = built
    paths = sorted(r["path"] for r in infos)
    fresh_state(state)
    listed = "".join(p + "\n" for p in paths).encode()
    assert run(state, "store", "missing", input=listed).stdout.split() == paths
    run(state, "store", "import", input=stream)
    assert run(state, "store", "missing", *paths).stdout == ""
    proc = run(state, "store", "missing", "/elsewhere/x", check=1)
    assert "is not in the Nix store" in proc.stderr
