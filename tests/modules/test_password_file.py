"""`users.users.<n>.hashedPasswordFile`: the hash stays out of the store and
is read at activation from the file inside the target root; a missing,
unreadable or malformed file (or one reached through a symlink) fails the
switch before anything changes, naming the user and the file."""

from __future__ import annotations

import os

import pytest
from switching import assert_accounts_declared, assert_contained, switch_text

HASH = "$6$saltsalt$Q2GxVhhZ8dQH0s9V2oWj1.Zb2FcK4r1a9yIl0o3C0jA7H2yYx7L3mQ"
CONFIG = """{
  users.users.alice = {
    isNormalUser = true;
    hashedPasswordFile = "/etc/secrets/alice";
    description = "DESC";
  };
}
"""


def _config(desc: str = "Alice") -> str:
    return CONFIG.replace("DESC", desc)


def _secret(root, content: bytes | None, mode: int = 0o600) -> str:
    path = os.path.join(root, "etc/secrets/alice")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.lexists(path):
        os.unlink(path)
    if content is not None:
        with open(path, "wb") as f:
            f.write(content)
        os.chmod(path, mode)
    return path


def _shadow(s) -> dict[str, list[str]]:
    return {e[0]: e for e in s.lines("shadow")}


def _store_holds(s, text: str) -> bool:
    store = s.dir / "state" / "store"
    for dirpath, _, files in os.walk(store):
        for f in files:
            p = os.path.join(dirpath, f)
            if not os.path.islink(p):
                with open(p, "rb") as fh:
                    if text.encode() in fh.read():
                        return True
    return False


def test_the_hash_is_read_from_the_root_and_kept_out_of_the_store(tmp_path):
    _secret(tmp_path / "root", HASH.encode() + b"\n")
    s = switch_text(tmp_path, _config())
    assert s.code == 0, s.err
    assert_contained(s)
    assert_accounts_declared(s)
    assert _shadow(s)["alice"][1] == HASH
    assert s.manifest()["users"]["alice"]["hashedPasswordFile"] == "/etc/secrets/alice"
    assert not _store_holds(s, HASH)
    # a new hash in the file is taken at the next activation
    _secret(tmp_path / "root", b"$6$other$hash")
    s = switch_text(tmp_path, _config("Alice Q."))
    assert s.code == 0, s.err
    assert _shadow(s)["alice"][1] == "$6$other$hash"


BAD = {
    "missing": (None, "does not exist"),
    "empty": (b"", "must hold the password hash on one line"),
    "two-lines": (HASH.encode() + b"\nroot2::0:0:::\n", "must hold the password hash on one line"),
    "colon": (b"$6$x$y:0:0", "must hold the password hash on one line"),
    "carriage-return": (b"$6$x$y\rroot2", "must hold the password hash on one line"),
    "nul": (b"$6$x\0y", "must hold the password hash on one line"),
    "not-utf8": (b"$6$\xff\xfe", "must hold the password hash on one line"),
}


@pytest.mark.parametrize("content,why", BAD.values(), ids=BAD.keys())
def test_a_bad_file_fails_before_anything_changes(tmp_path, content, why):
    root = tmp_path / "root"
    _secret(root, HASH.encode())
    s = switch_text(tmp_path, _config())
    assert s.code == 0, s.err
    before = {n: (root / "etc" / n).read_bytes() for n in ("passwd", "group", "shadow")}
    _secret(root, content)
    s = switch_text(tmp_path, _config("changed"))
    assert s.code == 1 and "Traceback" not in s.err
    assert (
        f"users.users.alice.hashedPasswordFile: '/etc/secrets/alice' in the root {root} {why}"
        in s.err
    )
    assert "nothing was changed" in s.err
    assert {n: (root / "etc" / n).read_bytes() for n in ("passwd", "group", "shadow")} == before
    assert not (tmp_path / "state" / "journal").exists()
    assert_contained(s)
    # fixed: the next switch goes through
    _secret(root, b"$6$fixed$hash\n")
    s = switch_text(tmp_path, _config("changed"))
    assert s.code == 0, s.err
    assert _shadow(s)["alice"][1] == "$6$fixed$hash"


def test_a_symlinked_file_is_refused(tmp_path):
    root = tmp_path / "root"
    outside = tmp_path / "sentinel-hash"
    outside.write_text(HASH)
    _secret(root, None)
    os.symlink(str(outside), root / "etc/secrets/alice")
    s = switch_text(tmp_path, _config())
    assert s.code == 1 and "Traceback" not in s.err
    assert "users.users.alice.hashedPasswordFile" in s.err
    assert "is a symbolic link" in s.err
    assert not (root / "etc/passwd").exists()
    outside.unlink()
    assert_contained(s)


def test_a_directory_in_place_of_the_file_is_reported(tmp_path):
    root = tmp_path / "root"
    _secret(root, None)
    os.mkdir(root / "etc/secrets/alice")  # a directory, not a file
    s = switch_text(tmp_path, _config())
    assert s.code == 1 and "Traceback" not in s.err
    assert "users.users.alice.hashedPasswordFile" in s.err and "cannot be read" in s.err
    assert not (root / "etc/passwd").exists()
