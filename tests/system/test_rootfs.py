"""`rootfs.Root` on its own: every operation stays inside the root and follows
no symlink; what it refuses, it refuses with the path and the link's target."""

from __future__ import annotations

import os
import stat

import pytest

from declos.system.rootfs import NO_FOLLOW, Root, RootError, UnsafeRoot, split


@pytest.fixture
def fs(tmp_path):
    (tmp_path / "root" / "etc").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret").write_text("sentinel\n")
    with Root.open(str(tmp_path / "root")) as r:
        yield r


def _outside(fs) -> dict:
    d = os.path.join(os.path.dirname(fs.path), "outside")
    out = {}
    for n in sorted(os.listdir(d)):
        p = os.path.join(d, n)
        if os.path.islink(p):
            out[n] = os.readlink(p)
        else:
            with open(p) as f:
                out[n] = f.read()
    return out


@pytest.mark.parametrize("bad", ["", ".", "a/../b", "../x", "a//b", "a/", "/", "a/./b", "a\0b"])
def test_paths_must_be_normalized_and_relative(bad):
    with pytest.raises(UnsafeRoot):
        split(bad)


def test_a_leading_slash_means_the_root():
    assert split("/home/bob") == split("home/bob") == ["home", "bob"]


def test_every_operation_refuses_a_symlinked_directory(fs):
    os.symlink("../outside", os.path.join(fs.path, "etc/ssh"))
    before = _outside(fs)
    ops = [
        lambda: fs.lstat("etc/ssh/secret"),
        lambda: fs.readlink("etc/ssh/secret"),
        lambda: fs.read_bytes("etc/ssh/secret"),
        lambda: fs.listdir("etc/ssh"),
        lambda: fs.makedirs("etc/ssh/d"),
        lambda: fs.mkdir("etc/ssh/d"),
        lambda: fs.write_file("etc/ssh/secret", b"x", 0o644),
        lambda: fs.copy_file(__file__, "etc/ssh/secret", 0o644),
        lambda: fs.symlink("/x", "etc/ssh/secret"),
        lambda: fs.rename("etc/ssh/secret", "etc/stolen"),
        lambda: fs.rename("etc/passwd", "etc/ssh/secret"),
        lambda: fs.unlink("etc/ssh/secret"),
        lambda: fs.rmdir("etc/ssh/d"),
        lambda: fs.rmtree("etc/ssh/d"),
        lambda: fs.chown_dir("etc/ssh", 0, 0),
    ]
    for op in ops:
        with pytest.raises(UnsafeRoot) as e:
            op()
        assert f"/etc/ssh is a symbolic link (-> ../outside); {NO_FOLLOW}" in e.value.message
    assert _outside(fs) == before


def test_the_last_component_is_never_followed(fs):
    link = os.path.join(fs.path, "etc/passwd")
    os.symlink(os.path.join(os.path.dirname(fs.path), "outside/secret"), link)
    with pytest.raises(UnsafeRoot, match="/etc/passwd is a symbolic link"):
        fs.read_bytes("etc/passwd")
    assert fs.sha256("etc/passwd") is None
    assert stat.S_ISLNK(fs.lstat("etc/passwd").st_mode)
    fs.write_file("etc/passwd", b"root:x:0:0::/root:/bin/sh\n", 0o644)  # replaces the link
    assert not os.path.islink(link) and _outside(fs) == {"secret": "sentinel\n"}
    os.symlink("../outside", os.path.join(fs.path, "etc/d"))
    assert fs.unlink("etc/d") and _outside(fs) == {"secret": "sentinel\n"}


def test_a_fifo_or_directory_is_not_read(fs):
    os.mkfifo(os.path.join(fs.path, "etc/fifo"))
    with pytest.raises(UnsafeRoot, match="not a regular file"):
        fs.read_bytes("etc/fifo")  # and does not block
    with pytest.raises(UnsafeRoot, match="not a regular file"):
        fs.read_bytes("etc")


@pytest.mark.parametrize("mode", [0o600, 0o440, 0o644])
def test_a_temp_is_created_with_its_final_mode_whatever_sits_at_its_name(fs, mode):
    tmp = os.path.join(fs.path, "etc/shadow.declos-tmp")
    os.symlink(os.path.join(os.path.dirname(fs.path), "outside/secret"), tmp)
    fs.write_file("etc/shadow", b"root:!:1::::::\n", mode)
    st = os.lstat(os.path.join(fs.path, "etc/shadow"))
    assert stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == mode
    assert not os.path.lexists(tmp) and _outside(fs) == {"secret": "sentinel\n"}
    os.mkdir(tmp)  # a directory at the temp name is refused, not removed
    with pytest.raises(UnsafeRoot, match="shadow.declos-tmp is a directory"):
        fs.write_file("etc/shadow", b"x", mode)


def test_makedirs_says_what_it_created(fs):
    assert fs.makedirs("etc/ssh/keys") == ["etc/ssh", "etc/ssh/keys"]
    assert fs.makedirs("etc/ssh/keys") == []
    with open(os.path.join(fs.path, "etc/file"), "w"):
        pass
    with pytest.raises(UnsafeRoot, match="/etc/file is not a directory"):
        fs.makedirs("etc/file/sub")


def test_rmtree_removes_links_inside_never_their_targets(fs):
    os.makedirs(os.path.join(fs.path, "etc/tree/sub"))
    os.symlink(os.path.join(os.path.dirname(fs.path), "outside"), fs.path + "/etc/tree/sub/out")
    fs.rmtree("etc/tree")
    assert not os.path.lexists(os.path.join(fs.path, "etc/tree"))
    assert _outside(fs) == {"secret": "sentinel\n"}


def test_a_missing_root_reads_as_empty_and_a_file_is_refused(tmp_path):
    with Root.open(str(tmp_path / "nope")) as r:
        assert r.lstat("etc/passwd") is None and r.read_text("etc/passwd") is None
        with pytest.raises(RootError):
            r.write_file("etc/passwd", b"", 0o644)
    (tmp_path / "f").write_text("keep")
    for bad in (tmp_path / "f", tmp_path / "f" / "sub"):
        with pytest.raises(UnsafeRoot, match="as the root: .*is not a directory"):
            Root.open(str(bad), create=True)
    assert (tmp_path / "f").read_text() == "keep"
