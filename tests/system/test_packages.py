"""Host packages in the activation plan (declos/system/packages.py, issue 14).

On a root that is not the live system nothing is run: the plan says what
would be installed or removed (from the two manifests), `--dry-run` and
`--json` show it, and re-switching plans nothing.  What a hostile store
path may put in `hostPackages` is refused before anything changes.  The
record logic (what declos installed, and as what) is checked against a
stand-in for the host's apt (`HostApt` below: the host's package manager is
the one thing these tests cannot run; the real one is exercised on booted
Debian hosts in tests/live/test_live_packages.py).  The package-level
`declos diff` lists host packages and profile entries with versions.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest
from system_helpers import run_declos

from declos.diagnostics import DeclosError
from declos.system import managers, packages, rootfs
from declos.system.manifest import load_manifest
from declos.system.plan import render_json, render_text


def with_host_packages(store, top: str, value, name: str = "declos-system") -> str:
    """A copy of the toplevel `top` whose manifest has `hostPackages = value`."""
    src = os.path.join(store.state_dir, "tmp-copy")
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(top, src, symlinks=True)
    path = os.path.join(src, "manifest.json")
    os.chmod(src, 0o755)
    os.chmod(path, 0o644)
    with open(path) as f:
        data = json.load(f)
    data["hostPackages"] = value
    with open(path, "w") as f:
        json.dump(data, f, sort_keys=True, indent=2)
    out = str(store.add_path(src, name))
    shutil.rmtree(src)
    return out


def declare(names, manager=None, where="/cfg/config.dcl:3"):
    return {"manager": manager, "packages": {n: [where] for n in names}}


# --- a scratch root: "would" ------------------------------------------------------------


def test_a_scratch_root_says_what_would_be_installed_and_removed(system, store, top):
    base = top(etc={"motd": "hi\n"})
    one = with_host_packages(store, base, declare(["htop", "git"], manager="apt"))
    two = with_host_packages(store, base, declare(["git", "tree"], manager="apt"), "two")
    plan = system.plan_to(one)
    lines = [a.describe() for a in plan.actions]
    assert "host would install git htop (apt)" in lines
    # installs come after the accounts and before /etc
    kinds = [a.kind for a in plan.actions]
    assert kinds.index("install-host-packages") < kinds.index("set-static")
    system.switch_to(one)
    assert not os.path.exists(os.path.join(system.root, packages.RECORD))  # nothing ran
    with open(os.path.join(store.state_dir, packages.LOG)) as f:
        assert "would install git htop" in f.read()

    plan = system.plan_to(two)
    lines = [a.describe() for a in plan.actions]
    assert "host would install tree (apt)" in lines and "host would remove htop (apt)" in lines
    assert lines.index("host would remove htop (apt)") > lines.index("system current -> " + two)
    data = json.loads(render_json(plan))
    by_kind = {a["action"]: a for a in data["actions"]}
    assert by_kind["install-host-packages"] == {
        "action": "install-host-packages",
        "manager": "apt",
        "install": ["tree"],
        "adopt": [],
        "with": [],
        "scratch": True,
    }
    assert by_kind["remove-host-packages"]["remove"] == ["htop"]
    system.switch_to(two)
    # switching to the current generation again: nothing to do, no drift
    assert system.switch_to(two).generation is None
    assert "host" not in render_text(system.plan_to(two))


def test_the_manager_of_a_scratch_root_is_read_from_its_os_release(system, store, top):
    base = top(etc={"motd": "hi\n"})
    one = with_host_packages(store, base, declare(["htop"]))
    assert "host would install htop (no package manager found)" in render_text(system.plan_to(one))
    os.makedirs(os.path.join(system.root, "usr/lib"))
    with open(os.path.join(system.root, "usr/lib/os-release"), "w") as f:
        f.write('NAME="Fedora Linux"\nID=fedora\n')
    assert "host would install htop (dnf)" in render_text(system.plan_to(one))


@pytest.mark.parametrize(
    ("text", "programs", "expected"),
    [
        ('ID=debian\nVERSION_ID="12"\n', (), "apt"),
        ("ID=linuxmint\nID_LIKE=ubuntu\n", (), "apt"),
        ('ID="rocky"\nID_LIKE="rhel centos fedora"\n', (), "dnf"),
        ('ID="opensuse-tumbleweed"\nID_LIKE="opensuse suse"\n', (), "zypper"),
        ("ID=arch\n", (), None),
        (None, ("usr/bin/zypper",), "zypper"),
        (None, ("usr/bin/apt-get", "usr/bin/dnf"), "apt"),
        (None, (), None),
    ],
)
def test_detect(tmp_path, text, programs, expected):
    if text is not None:
        (tmp_path / "usr/lib").mkdir(parents=True)
        (tmp_path / "usr/lib/os-release").write_text(text)
    for p in programs:
        (tmp_path / p).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / p).write_text("")
    (tmp_path / "etc").mkdir(exist_ok=True)
    os.symlink("../usr/lib/os-release", tmp_path / "etc/os-release")  # as Debian's: not followed
    with rootfs.opened(str(tmp_path)) as fs:
        assert managers.detect(fs) == expected


# --- hostile manifests ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (declare(["-oAPT::Get::Assume-Yes=1"]), "is not a package name"),
        (declare(["htop-"]), "is not a package name"),
        (declare(["vim=2:9.0"]), "is not a package name"),
        (declare(["a b"]), "is not a package name"),
        (declare(["x/stable"]), "is not a package name"),
        (declare(["x*"]), "is not a package name"),
        ({"manager": "pacman", "packages": {}}, "is not one of apt, dnf, zypper"),
        ({"manager": None, "packages": ["htop"]}, "expected {manager, packages}"),
        ({"manager": None, "packages": {"htop": "x"}}, "expected a list of locations"),
    ],
)
def test_a_hostile_manifest_is_refused_before_anything_changes(system, store, top, value, why):
    base = top(etc={"motd": "hi\n"})
    bad = with_host_packages(store, base, value)
    with pytest.raises(DeclosError) as e:
        system.switch_to(bad)
    assert why in e.value.message and "nothing was changed" in e.value.message
    assert system.profile.current() is None
    assert not os.path.lexists(os.path.join(system.root, "etc/static"))


def test_the_record_ignores_what_it_cannot_trust(tmp_path):
    (tmp_path / "var/lib/declos").mkdir(parents=True)
    record = tmp_path / packages.RECORD
    record.write_text("{not json")
    with rootfs.opened(str(tmp_path)) as fs:
        assert packages.read_record(fs) == {}
    record.write_text(
        json.dumps(
            {
                "packages": {
                    "htop": {"was": "absent", "with": ["libnl-3-200", "-x", 3]},
                    "-rf": {"was": "absent"},
                    "tree": {"was": "auto"},
                    "git": "nonsense",
                }
            }
        )
    )
    with rootfs.opened(str(tmp_path)) as fs:
        assert packages.read_record(fs) == {
            "htop": {"was": "absent", "with": ["libnl-3-200"]},
            "tree": {"was": "auto", "with": []},
        }


# --- the record logic, against a stand-in for the host's apt -----------------------------


class HostApt(managers.Manager):
    """A stand-in for the live host's apt: `state` is what is installed (name
    -> "manual" | "auto"), `needs` what other packages need, `index` what
    can be installed and what each pulls in."""

    name = "apt"

    def __init__(self, state, index, needs=()):
        self.state = dict(state)
        self.index = index
        self.needs = set(needs)
        self.calls = []

    def installed(self):
        return dict(self.state)

    def simulate_install(self, names):
        bad = tuple((n, "no such package in the index") for n in names if n not in self.index)
        if bad:
            raise managers.ManagerError("apt cannot resolve some names", bad)
        return sorted({p for n in names for p in [n, *self.index[n]]})

    def install(self, names, say):
        self.calls.append(("install", tuple(names)))
        for n in names:
            for p in self.index[n]:
                self.state.setdefault(p, "auto")
            self.state[n] = "manual"

    def remove(self, names, unmark, candidates, say):
        self.calls.append(("remove", tuple(names), tuple(unmark), tuple(candidates)))
        for n in [*names, *unmark]:
            self.state[n] = "auto"
        gone = [c for c in candidates if c in self.state and c not in self.needs]
        for c in gone:
            del self.state[c]
        return gone, [n for n in names if n not in gone]

    def index_names(self):
        return tuple(self.index)


def _plan(apt, want, record):
    return packages._plan_live(apt, packages.Declared("apt", want), record, ())


def test_what_declos_installs_it_records_and_removes_with_its_dependencies():
    apt = HostApt({"tree": "manual", "libc6": "auto"}, {"htop": ["libnl-3"], "tree": []})
    want = {"htop": ("c.dcl:1",), "tree": ("c.dcl:1",)}
    installs, removals = _plan(apt, want, {})
    (inst,) = installs
    assert (inst.names, inst.adopt, inst.pulled) == (("htop",), (), ("libnl-3",))
    assert removals == []
    record = json.loads(inst.record)["packages"]
    assert record == {"htop": {"was": "absent", "with": ["libnl-3"]}}  # tree is the user's
    apt.install(list(inst.names), say=print)
    # no longer declared: htop goes, with what it pulled in; tree, the user's, stays
    installs, removals = _plan(apt, {}, record)
    (rem,) = removals
    assert (rem.names, rem.unmark, rem.candidates) == (("htop",), (), ("htop", "libnl-3"))
    assert json.loads(rem.record)["packages"] == {}
    apt.remove(list(rem.names), [], list(rem.candidates), say=print)
    assert apt.state == {"tree": "manual", "libc6": "auto"}
    assert _plan(apt, {}, {}) == ([], [])


def test_a_dependency_declared_is_marked_and_goes_back_to_being_one():
    apt = HostApt({"libnl-3": "auto"}, {"libnl-3": []})
    (inst,), _ = _plan(apt, {"libnl-3": ("c.dcl:2",)}, {})
    assert (inst.names, inst.adopt) == ((), ("libnl-3",))
    assert "libnl-3 installed as dependencies until now" in inst.describe()
    record = json.loads(inst.record)["packages"]
    assert record == {"libnl-3": {"was": "auto", "with": []}}
    apt.state["libnl-3"] = "manual"
    _, (rem,) = _plan(apt, {}, record)
    assert (rem.names, rem.unmark) == ((), ("libnl-3",))
    assert rem.describe() == "host unmark libnl-3 (installed as dependencies before)"


def test_a_package_still_needed_is_kept_as_a_dependency():
    apt = HostApt({"perl": "manual"}, {"perl": []}, needs={"perl"})
    _, (rem,) = _plan(apt, {}, {"perl": {"was": "absent", "with": []}})
    assert apt.remove(list(rem.names), [], list(rem.candidates), say=print) == ([], ["perl"])
    assert apt.state == {"perl": "auto"}


def test_plans_converge_after_a_hand_removal_and_an_interrupted_install():
    apt = HostApt({}, {"htop": []})
    # recorded (written before the install) but not installed: installed again
    record = {"htop": {"was": "absent", "with": []}}
    (inst,), removals = _plan(apt, {"htop": ("c.dcl:1",)}, record)
    assert inst.names == ("htop",) and removals == []
    # recorded, not installed, no longer declared: only dropped from the record
    _, (rem,) = _plan(apt, {}, record)
    assert rem.names == () and rem.unmark == () and json.loads(rem.record)["packages"] == {}


def test_a_name_apt_cannot_resolve_names_its_definition_and_close_names():
    apt = HostApt({}, {"htop": [], "atop": []})
    want = {"htopp": ("/cfg/config.dcl:3", "/cfg/more.dcl:7"), "htop": ("/cfg/config.dcl:3",)}
    with pytest.raises(packages.HostPackagesError) as e:
        _plan(apt, want, {})
    assert e.value.message.splitlines() == [
        "host packages cannot be installed: apt cannot resolve this name:",
        "  htopp (defined in /cfg/config.dcl:3, /cfg/more.dcl:7): no such package in the index",
        "    Did you mean htop or atop?",
        "(environment.hostPackages takes the names the host's package manager knows)",
    ]


# --- the real apt's resolution (read-only: a simulated install) ---------------------------

needs_apt_index = pytest.mark.skipif(
    shutil.which("apt-get") is None
    or not any("_Packages" in n for n in os.listdir("/var/lib/apt/lists") or [""])
    if os.path.isdir("/var/lib/apt/lists")
    else True,
    reason="no apt index on this machine",
)


@needs_apt_index
def test_apt_resolves_names_without_changing_anything():
    apt = managers.Apt()
    assert apt.installed()["dpkg"] in ("manual", "auto")
    pulled = apt.simulate_install(["dpkg"])  # installed: at most an upgrade
    assert set(pulled) <= set(apt.installed())
    with pytest.raises(managers.ManagerError) as e:
        apt.simulate_install(["dpkg", "no-such-package-declos"])
    assert e.value.names == (("no-such-package-declos", "no such package in the index"),)
    with pytest.raises(managers.ManagerError) as e:
        apt.simulate_install(["mail-transport-agent"])  # virtual, several providers
    assert e.value.names[0][0] == "mail-transport-agent"


# --- declos diff: host packages and profile entries, like nvd -----------------------------


def test_diff_lists_host_packages_and_profile_entries(tmp_path):
    from declos.system.diff import split_name

    assert split_name("vim-9.0.1378-2+deb12u2") == ("vim", "9.0.1378-2+deb12u2")
    assert split_name("python3-yaml-6.0") == ("python3-yaml", "6.0")
    assert split_name("libnl-3-200-3.7.0-0.2", {"libnl-3-200"}) == ("libnl-3-200", "3.7.0-0.2")
    assert split_name("hello") == ("hello", "")
    cfg = tmp_path / "config.dcl"
    state = str(tmp_path / "state")
    env = {"DECLOS_STATE_DIR": state, "NO_COLOR": "1"}

    def switch(text):
        cfg.write_text(text)
        return run_declos("switch", str(cfg), "--root", str(tmp_path / "root"), env=env, check=True)

    tool = '(pkgs.runCommand "tool-{v}" {{ }} "mkdir -p $out/bin; touch $out/bin/tool")'
    first = switch(
        "{ pkgs, ... }: {\n"
        '  environment.hostPackages = [ "htop" ];\n'
        f'  environment.systemPackages = [ {tool.format(v="1.0")} (pkgs.writeTextDir "share/a" "a") ];\n'
        "  users.users.alice = { isNormalUser = true;"
        f" packages = [ {tool.format(v='2.0')} ]; }};\n"
        "}\n"
    )
    switch(
        "{ pkgs, ... }: {\n"
        '  environment.hostPackages = [ "git" ];\n'
        f"  environment.systemPackages = [ {tool.format(v='1.1')} ];\n"
        "  users.users.alice.isNormalUser = true;\n"
        "}\n"
    )
    assert "host would install htop (no package manager found)" in first.stdout
    assert "is not the live system: host packages not installed: htop" in first.stderr
    out = run_declos("diff", env=env, check=True).stdout.splitlines()
    assert out[0] == "generation 1 -> 2"
    assert "etc removed profiles/per-user/alice" in out
    tail = out[out.index("host package added git") :]
    assert tail[:-1] == [
        "host package added git",
        "host package removed htop",
        "package removed a",
        "package changed tool 1.0 -> 1.1",
        "user alice package removed tool 2.0",
    ]
    assert out[-1].startswith("closure size ")
    data = json.loads(run_declos("diff", "--json", env=env, check=True).stdout)
    assert data["hostPackages"] == {"git": "added", "htop": "removed"}
    assert {"profile": None, "name": "tool", "from": "1.0", "to": "1.1"} in data["packages"][
        "changes"
    ]
    assert {"profile": "alice", "name": "tool", "from": "2.0", "to": None} in data["packages"][
        "changes"
    ]
    # the plan of a dry run says the same of the host packages
    cfg.write_text('{ environment.hostPackages = [ "git" "tree" ]; }\n')
    dry = run_declos("switch", str(cfg), "--dry-run", env=env, check=True).stdout
    assert "host would install tree (" in dry and "host would remove" not in dry
    assert load_manifest(None).data.get("hostPackages") is None
