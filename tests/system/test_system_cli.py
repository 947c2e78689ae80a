"""`declos switch` and friends end to end: real configurations through the
module library, the evaluation cache, diff (golden) and status output."""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest
from system_helpers import REPO, run_declos

MINIMAL = os.path.join(REPO, "examples", "minimal", "config.dcl")
GOLDEN = os.path.join(os.path.dirname(__file__), "golden")


def _normalise(text: str, state: str) -> str:
    text = text.replace(state, "<state>")
    text = re.sub(r"[0-9a-df-np-sv-z]{32}-", "<hash>-", text)
    # sizes follow the module library's output; the golden file checks the form
    return re.sub(r"\d+ bytes", "N bytes", re.sub(r"\([+-]\d+ bytes\)", "(±N bytes)", text))


def _golden(name: str, text: str) -> None:
    path = os.path.join(GOLDEN, name)
    if os.environ.get("DECLOS_ACCEPT") or not os.path.exists(path):
        os.makedirs(GOLDEN, exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    with open(path) as f:
        assert text == f.read()


@pytest.fixture
def conf(tmp_path):
    d = tmp_path / "conf"
    d.mkdir()
    shutil.copy(MINIMAL, d / "config.dcl")
    (d / "motd").write_text("welcome\n")
    return d


def _write(conf, extra: str, host: str = '"minimal"') -> None:
    from pathlib import Path

    text = Path(MINIMAL).read_text().replace('"minimal"', host).rstrip().rstrip("}")
    (conf / "config.dcl").write_text(text + extra + "\n}\n")


def test_switch_minimal_end_to_end(tmp_path, conf):
    state = str(tmp_path / "state")
    env = {"DECLOS_STATE_DIR": state}
    cfg = str(conf / "config.dcl")
    dry = run_declos("switch", cfg, "--dry-run", env=env, check=True)
    assert "user add alice uid=1000 gid=100 home=/home/alice" in dry.stdout
    assert not os.path.exists(os.path.join(state, "root", "etc", "hostname"))
    first = run_declos("switch", cfg, "-m", "first", env=env, check=True)
    assert "generation 1 is active" in first.stdout
    root = os.path.join(state, "root")
    assert os.readlink(os.path.join(root, "etc/hostname")) == "/etc/static/hostname"
    with open(os.path.join(root, "etc/static/hostname")) as f:
        assert f.read().strip() == "minimal"
    again = run_declos("switch", cfg, env=env, check=True)
    assert "already the current generation (1)" in again.stdout
    assert "reusing" in again.stderr  # the evaluation cache answered
    # a change: generation 2, the cache notices the edited file
    _write(conf, '  environment.etc."motd".source = ./motd;', host='"two"')
    second = run_declos("switch", cfg, "-m", "second", env=env, check=True)
    assert "reusing" not in second.stderr and "generation 2 is active" in second.stdout
    # the cache also notices a file that is only copied into the store
    (conf / "motd").write_text("changed\n")
    third = run_declos("switch", cfg, env=env, check=True)
    assert "reusing" not in third.stderr and "generation 3 is active" in third.stdout
    gens = json.loads(run_declos("generations", "--json", env=env, check=True).stdout)
    assert [(g["number"], g["current"], g["message"]) for g in gens] == [
        (1, False, "first"),
        (2, False, "second"),
        (3, True, None),
    ]
    assert gens[0]["configurationFile"] == cfg and gens[0]["configurationHash"].startswith(
        "sha256:"
    )
    diff = run_declos("diff", "1", "3", env=env, check=True)
    _golden("diff-minimal.txt", _normalise(diff.stdout, state))
    dj = json.loads(run_declos("diff", "--json", env=env, check=True).stdout)
    assert dj["from"] == 2 and dj["to"] == 3 and "motd" in dj["etc"]["changed"]
    back = run_declos("rollback", env=env, check=True)
    assert "rolled back: generation 2 is active" in back.stdout
    status = run_declos("status", env=env, check=True)
    assert status.stdout.splitlines()[1].startswith("generation 2 ") and "no drift" in status.stdout
    os.unlink(os.path.join(root, "etc/hostname"))
    status = run_declos("status", "--json", env=env, check=True)
    assert json.loads(status.stdout)["drift"] == [{"change": "missing", "file": "/etc/hostname"}]
    assert run_declos("switch-generation", "3", env=env, check=True).returncode == 0
    assert run_declos("generations", "pin", "1", env=env, check=True).returncode == 0
    deleted = run_declos("generations", "delete", "--keep", "1", env=env)
    assert deleted.stdout == "deleted generation 2\n" and "generation 1 is pinned" in deleted.stderr
    gc = run_declos("store", "gc", env=env, check=True)
    assert "store paths deleted" in gc.stderr
    listing = run_declos("generations", env=env, check=True).stdout.splitlines()
    assert [line.split()[0] for line in listing] == ["1", "*"] and "pinned" in listing[0]
    assert run_declos("store", "verify", env=env, check=True).returncode == 0
    for g in json.loads(run_declos("generations", "--json", env=env, check=True).stdout):
        assert os.path.exists(os.path.join(g["path"], "manifest.json"))


def test_no_eval_cache_and_errors(tmp_path, conf):
    env = {"DECLOS_STATE_DIR": str(tmp_path / "state")}
    cfg = str(conf / "config.dcl")
    run_declos("switch", cfg, env=env, check=True)
    out = run_declos("switch", cfg, "--no-eval-cache", env=env, check=True)
    assert "reusing" not in out.stderr and "already the current generation" in out.stdout
    _write(conf, "", host="3")
    bad = run_declos("switch", cfg, env=env)
    assert bad.returncode == 1 and bad.stderr.startswith("error:") and "Traceback" not in bad.stderr
    missing = run_declos("switch", str(conf / "nope.dcl"), env=env)
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    assert run_declos("rollback", env=env).returncode == 1
    assert run_declos("switch-generation", "9", env=env).returncode == 1
    assert run_declos("generations", "delete", env=env).returncode == 2


def test_failing_activation_script_via_cli(tmp_path, conf):
    env = {"DECLOS_STATE_DIR": str(tmp_path / "state")}
    cfg = str(conf / "config.dcl")
    run_declos("switch", cfg, env=env, check=True)
    _write(conf, '  system.activationScripts.boom = "echo about to fail; exit 4";')
    out = run_declos("switch", cfg, env=env)
    assert out.returncode == 1
    assert "activation script 'boom' failed with exit status 4" in out.stderr
    assert "about to fail" in out.stderr and "generation 1) is active again" in out.stderr
    status = run_declos("status", env=env, check=True).stdout
    assert "generation 1 " in status and "no drift" in status


def test_no_wait_fails_while_locked(tmp_path):
    import fcntl

    state = tmp_path / "state"
    state.mkdir()
    fd = os.open(state / "lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        out = run_declos("recover", "--no-wait", "--state-dir", str(state))
        assert out.returncode == 1 and "holds the lock" in out.stderr
    finally:
        os.close(fd)
