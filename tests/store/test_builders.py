"""Running builders for real: processes, in-process builders, faults."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from store_helpers import mkdrv, out_of

from declos.diagnostics import render
from declos.store.builders import BuildError, TemplateError, build_one
from declos.store.hashing import Hash
from declos.store.paths import make_text_path


def assert_nothing_for(store, drv):
    out = out_of(store, drv)
    assert not os.path.lexists(out)
    assert not store.is_valid(out)
    assert not [e for e in os.listdir(store.store_dir) if e.startswith(".tmp")]


def test_process_builder_environment(store, monkeypatch):
    monkeypatch.setenv("DECLOS_LEAK", "leaked")
    tool = mkdrv(
        store,
        "tool",
        'mkdir -p $out/bin; printf "#!/bin/sh\\necho tool" > $out/bin/t; chmod +x $out/bin/t',
    )
    drv = mkdrv(
        store,
        "envdump",
        'env > $out; echo "cwd=$(pwd)" >> $out; read x && echo "stdin=$x" >> $out; t >> $out; true',
        deps=[tool],
        greeting="hi there",
    )
    build_one(store, tool)
    outs = build_one(store, drv)
    text = Path(str(outs["out"])).read_text()
    env = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    tool_out = out_of(store, tool)
    assert env["HOME"] == "/homeless-shelter"
    assert env["PATH"] == f"{tool_out}/bin:/usr/bin:/bin"
    assert env["NIX_BUILD_TOP"] == env["TMPDIR"] == env["cwd"]
    assert env["NIX_BUILD_TOP"].startswith(store.builds_dir)
    assert not os.path.exists(env["NIX_BUILD_TOP"])  # removed after the build
    assert env["greeting"] == "hi there"
    assert env["out"] == str(outs["out"])  # the temporary $out was rewritten
    assert "DECLOS_LEAK" not in env and "stdin" not in env
    assert "tool" in text.splitlines()
    # $out mentions itself, and PATH mentions the tool
    assert set(store.query_references(outs["out"])) == {str(outs["out"]), tool_out}
    assert Path(store.logs_dir, os.path.basename(drv) + ".log").exists()


def test_references_are_scanned(store):
    a = mkdrv(store, "a", "echo a > $out")
    b = mkdrv(store, "b", "mkdir $out; ln -s $a $out/link", deps=[a], a=out_of(store, a))
    c = mkdrv(store, "c", "echo unrelated > $out", deps=[a])
    for d in (a, b, c):
        build_one(store, d)
    assert store.query_references(out_of(store, b)) == [out_of(store, a)]
    assert store.query_references(out_of(store, c)) == []
    assert store.closure([out_of(store, b)]) == {out_of(store, a), out_of(store, b)}
    assert store.query_path_info(out_of(store, b)).deriver == b


def test_failure_reports_status_and_log_tail(store):
    drv = mkdrv(
        store,
        "fails",
        "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo line$i; done; echo err >&2; echo x > $out; exit 3",
    )
    with pytest.raises(BuildError) as info:
        build_one(store, drv)
    e = info.value
    assert e.exit_status == 3 and e.code == "build"
    assert "exit code 3" in e.message
    assert e.log_tail[-1] == "err" and "line1" not in e.log_tail and "line12" in e.log_tail
    assert "> err" in render(e)
    assert_nothing_for(store, drv)


def test_timeout_kills_the_builder(store, tmp_path):
    marker = tmp_path / "still-running"
    drv = mkdrv(store, "hangs", f"(sleep 2; touch {marker}) & sleep 30")
    t = time.monotonic()
    with pytest.raises(BuildError, match="timed out after 0.5 seconds"):
        build_one(store, drv, timeout=0.5)
    assert time.monotonic() - t < 5
    time.sleep(2.5)
    assert not marker.exists()  # the whole process group was killed
    assert_nothing_for(store, drv)


def test_builder_that_writes_nothing(store):
    drv = mkdrv(store, "lazy", "echo did nothing")
    with pytest.raises(BuildError, match="failed to produce output path"):
        build_one(store, drv)
    assert_nothing_for(store, drv)


def test_missing_builder(store):
    drv = mkdrv(store, "nobuilder", builder="/does/not/exist")
    with pytest.raises(BuildError, match="cannot run builder"):
        build_one(store, drv)


def test_sigkill_halfway_then_rebuild(store):
    # The builder waits until a store path exists (a builder sees only the
    # store): the first run is killed halfway, the second completes.
    go = make_text_path("go", b"", [], store.store_dir)
    drv = mkdrv(
        store,
        "killed",
        f"mkdir $out; echo partial > $out/f; while [ ! -e {go} ]; do sleep 0.05; done; "
        "echo complete > $out/f",
    )
    out = out_of(store, drv)
    partial = Path(store.tmp_path_for(store.parse_path(out)), "f")
    code = (
        "import sys; from declos.store.store import Store; "
        "from declos.store.builders import build_one; "
        f"build_one(Store({store.state_dir!r}), {drv!r})"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=Path(__file__).parents[2])
    deadline = time.monotonic() + 20
    while not partial.exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not store.is_valid(out)
    assert str(store.add_text("go", "")) == str(go)
    build_one(store, drv)
    assert Path(out, "f").read_text() == "complete\n"
    assert not [e for e in os.listdir(store.store_dir) if e.startswith(".tmp")]


def test_fixed_output(store):
    h = Hash.of("sha256", b"fixed\n")
    good = mkdrv(store, "fixed", "echo fixed > $out", outputHash=h.sri())
    bad = mkdrv(store, "fixed", "echo other > $out", outputHash=h.sri())
    assert out_of(store, good) == out_of(store, bad)
    with pytest.raises(BuildError, match="hash mismatch"):
        build_one(store, bad)
    assert_nothing_for(store, bad)
    build_one(store, good)
    assert Path(out_of(store, good)).read_text() == "fixed\n"


def test_multiple_outputs(store):
    drv = mkdrv(
        store, "multi", "mkdir $out $dev; echo $out > $dev/ref; echo x > $out/x", outputs="out dev"
    )
    outs = build_one(store, drv)
    assert set(outs) == {"out", "dev"} and str(outs["dev"]).endswith("-multi-dev")
    assert Path(str(outs["dev"]), "ref").read_text().strip() == str(outs["out"])
    assert store.query_references(outs["dev"]) == [str(outs["out"])]


# --- in-process builders ------------------------------------------------------


def test_text_builder(store):
    drv = mkdrv(
        store,
        "hello",
        builder="builtin:text",
        text="#!/bin/sh\necho hi\n",
        executable="1",
        destination="/bin/hello",
    )
    out = str(build_one(store, drv)["out"])
    f = Path(out, "bin", "hello")
    assert f.read_text() == "#!/bin/sh\necho hi\n"
    assert os.stat(f).st_mode & 0o777 == 0o555
    assert subprocess.run([str(f)], capture_output=True, text=True).stdout == "hi\n"


def test_template_builder(store, tmp_path):
    tpl = tmp_path / "nginx.conf.j2"
    tpl.write_text(
        "server {\n  listen {{ port }};\n{% for h in hosts %}  # {{ h }}\n{% endfor %}}\n"
    )
    src = store.add_path(tpl)
    drv = mkdrv(
        store,
        "nginx.conf",
        builder="builtin:template",
        template=str(src),
        vars='{"port": 80, "hosts": ["a", "b"]}',
        srcs=[src],
    )
    out = build_one(store, drv)["out"]
    assert Path(str(out)).read_text() == "server {\n  listen 80;\n  # a\n  # b\n}\n"


@pytest.mark.parametrize(
    "text,line,message",
    [
        ("ok\nport {{ port }}\nmissing {{ nope }}\n", 3, "'nope' is undefined"),
        ("ok\n{% for x in %}\n", 2, "template syntax error"),
        ("{{ port.nothing.deeper }}", 1, "has no attribute"),
    ],
)
def test_template_errors_are_located(store, tmp_path, text, line, message):
    tpl = tmp_path / "t.j2"
    tpl.write_text(text)
    src = store.add_path(tpl)
    drv = mkdrv(
        store,
        "t",
        builder="builtin:template",
        template=str(src),
        templateName="modules/t.j2",
        vars='{"port": 1}',
        srcs=[src],
    )
    with pytest.raises(TemplateError, match=message) as info:
        build_one(store, drv)
    e = info.value
    assert e.code == "template"
    assert e.span.location() == f"modules/t.j2:{line}:1"
    assert f"modules/t.j2, line {line}" in e.message
    assert "at modules/t.j2" in render(e)
    assert_nothing_for(store, drv)


def test_linkfarm_and_buildenv(store):
    a = mkdrv(
        store, "a", "mkdir -p $out/bin $out/share/a; echo a > $out/bin/a; echo > $out/share/a/x"
    )
    b = mkdrv(store, "b", "mkdir -p $out/bin $out/share/b; echo b > $out/bin/b")
    c = mkdrv(store, "c", "mkdir -p $out/bin; echo c > $out/bin/a")
    for d in (a, b, c):
        build_one(store, d)
    pa, pb, pc = (out_of(store, d) for d in (a, b, c))
    farm = mkdrv(
        store,
        "farm",
        builder="builtin:linkfarm",
        deps=[a, b],
        entries=f'[{{"name": "x/a", "path": "{pa}"}}, {{"name": "b", "path": "{pb}"}}]',
    )
    out = str(build_one(store, farm)["out"])
    assert os.readlink(f"{out}/x/a") == pa and os.readlink(f"{out}/b") == pb
    assert set(store.query_references(out)) == {pa, pb}
    env = mkdrv(store, "env", builder="builtin:buildenv", deps=[a, b], paths=f"{pa} {pb}")
    out = str(build_one(store, env)["out"])
    assert os.readlink(f"{out}/bin/a") == f"{pa}/bin/a"
    assert os.readlink(f"{out}/share/b") == f"{pb}/share/b"
    assert not os.path.islink(f"{out}/bin") and not os.path.islink(f"{out}/share")
    assert Path(out, "share", "a", "x").exists()
    clash = mkdrv(store, "clash", builder="builtin:buildenv", deps=[a, c], paths=f"{pa} {pc}")
    with pytest.raises(BuildError, match="collision between"):
        build_one(store, clash)
    ok = mkdrv(
        store,
        "clash",
        builder="builtin:buildenv",
        deps=[a, c],
        paths=f"{pa} {pc}",
        ignoreCollisions="1",
    )
    assert Path(str(build_one(store, ok)["out"]), "bin", "a").read_text() == "a\n"


def test_copy_builder(store, tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "f").write_text("f")
    src = store.add_path(tmp_path / "src")
    drv = mkdrv(store, "copied", builder="builtin:copy", src=str(src), srcs=[src])
    out = str(build_one(store, drv)["out"])
    assert Path(out, "f").read_text() == "f"
    assert store.query_references(out) == []


def test_two_processes_build_the_same_output_once(store):
    drv = mkdrv(store, "shared", "sleep 1; echo done > $out")
    code = (
        "from declos.store.store import Store; from declos.store.builders import build_one; "
        f"out = build_one(Store({store.state_dir!r}), {drv!r}, on_run=lambda d: print('ran'))"
        "['out']; print(out)"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parents[2],
        )
        for _ in range(3)
    ]
    lines = [p.communicate(timeout=60)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert {ls[-1] for ls in lines} == {out_of(store, drv)}
    assert sum(ls.count("ran") for ls in lines) == 1
