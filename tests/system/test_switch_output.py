"""`declos switch` output and promises: `--show-trace` reaches error
rendering (before or after the command), activation-script output reaches
the user prefixed by the script's name, and `--dry-run` on a live-looking
root writes nothing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from system_helpers import REPO, run_declos

MINIMAL = os.path.join(REPO, "examples", "minimal", "config.dcl")


def _config(d: Path, extra: str, host: str = "minimal") -> str:
    text = Path(MINIMAL).read_text().replace('"minimal"', f'"{host}"').rstrip().rstrip("}")
    (d / "config.dcl").write_text(text + extra + "\n}\n")
    return str(d / "config.dcl")


@pytest.fixture
def conf(tmp_path):
    d = tmp_path / "conf"
    d.mkdir()
    shutil.copy(MINIMAL, d / "config.dcl")
    return d


def test_show_trace_reaches_error_rendering(tmp_path, conf):
    env = {"DECLOS_STATE_DIR": str(tmp_path / "state")}
    cfg = _config(conf, '  environment.etc."x".text = let f = y: y + 1; in f "a";')
    plain = run_declos("switch", cfg, env=env)
    after = run_declos("switch", cfg, "--show-trace", env=env)
    before = run_declos("--show-trace", "switch", cfg, env=env)
    dry = run_declos("--show-trace", "switch", cfg, "--dry-run", env=env)
    for out in (plain, after, before, dry):
        assert out.returncode == 1 and "cannot coerce an integer to a string" in out.stderr
        assert "Traceback" not in out.stderr
    frame = "while evaluating definitions from"
    assert frame not in plain.stderr
    assert frame in after.stderr and frame in before.stderr and frame in dry.stderr
    assert len(before.stderr.splitlines()) > 3 * len(plain.stderr.splitlines())


def test_activation_script_output_reaches_the_user(tmp_path, conf):
    env = {"DECLOS_STATE_DIR": str(tmp_path / "state")}
    script = "echo hello-from-script; echo to-stderr >&2"
    cfg = _config(conf, f'  system.activationScripts.greet = "{script}";')
    out = run_declos("switch", cfg, env=env, check=True)  # piped: not a terminal
    lines = (out.stdout + out.stderr).splitlines()
    assert any(line.endswith("greet: hello-from-script") for line in lines), out.stderr
    assert any(line.endswith("greet: to-stderr") for line in lines)
    assert "\r" not in out.stderr and "\x1b[" not in out.stderr  # no progress decorations
    # rollback runs the scripts of the generation it activates, visibly too
    cfg = _config(conf, '  system.activationScripts.greet = "echo second";', host="two")
    run_declos("switch", cfg, env=env, check=True)
    back = run_declos("rollback", env=env, check=True)
    assert any(line.endswith("greet: hello-from-script") for line in back.stderr.splitlines())


def _tree(top: str) -> dict:
    """Everything under `top`, with modes and mtimes: any write shows."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            if os.path.islink(p):
                out[p] = ("link", os.readlink(p), st.st_mtime_ns)
            else:
                body = Path(p).read_bytes() if os.path.isfile(p) else None
                out[p] = (st.st_mode, st.st_size, st.st_mtime_ns, body)
    return out


SYSTEM_STATE = ("activation-root", "lock", "profiles", "gcroots", "unit-actions.log", "journal")


def _system_state(state: str) -> dict:
    out = {name: _tree(os.path.join(state, name)) for name in SYSTEM_STATE}
    for name in SYSTEM_STATE:
        p = os.path.join(state, name)
        out[name + "/"] = os.lstat(p).st_mtime_ns if os.path.lexists(p) else None
    return out


def test_dry_run_on_a_live_looking_root_writes_nothing(tmp_path, conf):
    state = str(tmp_path / "state")
    root = str(tmp_path / "root")
    env = {"DECLOS_STATE_DIR": state}
    os.makedirs(os.path.join(root, "etc"))
    os.makedirs(os.path.join(root, "run/systemd/system"))
    Path(root, "etc/passwd").write_text(
        "root:x:0:0:root:/root:/bin/sh\nbob:x:1001:100::/b:/bin/sh\n"
    )
    first = _config(conf, '  system.activationScripts.mark = "echo one > $DECLOS_ROOT/mark";')
    run_declos("switch", first, "--root", root, env=env, check=True)
    Path(root, "etc/motd").write_text("the user's own motd\n")  # in the way of the next one
    Path(root, "home/alice/notes").write_text("mine\n")
    cfg = _config(
        conf,
        '  environment.etc."motd".text = "hi";\n'
        "  users.users.carol = { isNormalUser = true; };\n"
        '  system.activationScripts.mark = "echo two > $DECLOS_ROOT/mark";',
        host="two",
    )
    root_before, state_before = _tree(root), _system_state(state)
    dry = run_declos("switch", cfg, "--dry-run", env=env, check=True)
    assert "etc backup motd -> motd.declos-backup" in dry.stdout
    assert "user add carol" in dry.stdout and "script run mark" in dry.stdout
    # the first dry run builds the toplevel into the store, nothing else
    assert _tree(root) == root_before and _system_state(state) == state_before
    whole = _tree(state)
    again = run_declos("switch", cfg, "--dry-run", "--json", env=env, check=True)
    assert '"backup-etc"' in again.stdout
    # now not one byte (a process's temporary GC root comes and goes: only the
    # temproots directory's mtime may move)
    temproots = os.path.join(state, "temproots")
    now = _tree(state)
    assert {k: v for k, v in now.items() if k != temproots} == {
        k: v for k, v in whole.items() if k != temproots
    }
    assert os.listdir(temproots) == [] and _tree(root) == root_before
    assert not os.path.exists(os.path.join(state, "unit-actions.log")) or (
        state_before["unit-actions.log"] == _tree(os.path.join(state, "unit-actions.log"))
    )
    listing = run_declos("generations", env=env, check=True).stdout.splitlines()
    assert len(listing) == 1 and listing[0].startswith("*")
