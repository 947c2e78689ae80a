"""environment.systemPackages on every login PATH, through the stable link
/run/current-system/sw: /etc/profile.d/declos.sh (login shells),
/etc/environment.d/50-declos.conf (systemd user managers) and sudo's
secure_path in /etc/sudoers.d/declos.

The switched root is looked at as the host would see it once switched, in a
private mount namespace: /run is a tmpfs holding the root's
/run/current-system link, and the root's /etc is an overlay layer above the
host's (so /etc/profile, /etc/sudoers, PAM and the shells are Debian's, and
/etc/profile.d, /etc/sudoers.d, /etc/environment.d gain declos' files).  The
real sh, bash, su, sudo, visudo and systemd's environment.d generator then
run there.  The host is never written."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from switching import Switched, switch_text

SW = "/run/current-system/sw"
HOST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
GENERATOR = "/usr/lib/systemd/user-environment-generators/30-systemd-environment-d-generator"

PACKAGES = r"""
{ pkgs, ... }: {
  environment.systemPackages = [
    (pkgs.writeShellScriptBin "hello-declos" "echo hello from declos")
    (pkgs.writeTextFile {
      name = "declos-admin";
      destination = "/sbin/declos-admin";
      executable = true;
      text = "#!/bin/sh\necho admin\n";
    })
    (pkgs.writeTextDir "share/hello-declos/greeting" "hi\n")
  ];
  users.users.alice.isNormalUser = true;
}
"""

# Enter a private mount namespace: /run a tmpfs (with /run/current-system
# when a target is given), the root's /etc layered over the host's.
_ENTER = r"""
set -e
current=$1 etc=$2; shift 2
mount -t tmpfs tmpfs /run
[ -z "$current" ] || ln -s "$current" /run/current-system
[ -z "$etc" ] || mount -t overlay overlay -o "lowerdir=$etc:/etc" /etc
exec "$@"
"""


def _namespace() -> list[str]:
    ns = ["unshare", "--mount", "--propagation", "private"]
    return ns if os.geteuid() == 0 else [*ns, "--map-root-user"]


@functools.cache
def _namespace_problem() -> str | None:
    """Why the namespace of `enter` cannot be made here, or None."""
    if shutil.which("unshare") is None:
        return "unshare is not installed"
    with tempfile.TemporaryDirectory() as layer:
        argv = [*_namespace(), "sh", "-c", _ENTER, "sh", "/", layer, "true"]
        probe = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    return None if probe.returncode == 0 else probe.stderr.strip() or "it failed"


def enter(
    argv: list[str], *, current: str | None, etc: Path | None = None
) -> subprocess.CompletedProcess:
    """Run argv as described above (skip where namespaces are not allowed)."""
    problem = _namespace_problem()
    if problem is not None:
        pytest.skip(f"no private mount namespace with an overlay on /etc here: {problem}")
    cmd = [*_namespace(), "sh", "-c", _ENTER, "sh", current or "", str(etc or ""), *argv]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def login(root: Path, script: str, *, shell: str = "sh", current: bool = True) -> str:
    """`env -i HOME=/nonexistent SHELL -lc SCRIPT` on the switched root: stdout."""
    target = os.readlink(root / "run/current-system") if current else None
    proc = enter(
        ["env", "-i", "HOME=/nonexistent", shell, "-lc", script], current=target, etc=root / "etc"
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def need_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("su and sudo need real root")


@pytest.fixture(scope="module")
def switched() -> Iterator[Switched]:
    """PACKAGES switched into a root that holds the host's accounts, as a
    real host's /etc would (activation adds alice to them).  Outside
    pytest's directory, which only root may enter: alice runs the packages
    from the store, as users do from /var/lib/declos/store on a live host."""
    d = Path(tempfile.mkdtemp(prefix="declos-login-path-"))
    try:
        d.chmod(0o755)
        (d / "root/etc").mkdir(parents=True)
        for name in ("passwd", "group"):
            shutil.copyfile(f"/etc/{name}", d / "root/etc" / name)
        s = switch_text(d, PACKAGES)
        assert s.code == 0, s.err
        yield s
    finally:
        shutil.rmtree(d)


def test_login_shells_have_the_packages_first(switched: Switched) -> None:
    root = switched.root
    show = 'printf "%s\\n" "$PATH" "${XDG_DATA_DIRS-unset}" "${INFOPATH-unset}"'
    before = login(root, show, current=False).splitlines()
    for shell in ("sh", "bash", "dash"):
        after = login(root, show, shell=shell).splitlines()
        # Debian's own PATH is kept, after the profile's bin and sbin.
        assert after[0] == f"{SW}/bin:{SW}/sbin:{before[0]}", shell
        default = "/usr/local/share:/usr/share" if before[1] == "unset" else before[1]
        assert after[1] == f"{SW}/share:{default}"
        assert after[2] == before[2]  # no package has info/: INFOPATH untouched
        found = login(root, "command -v hello-declos; command -v declos-admin; hello-declos")
        assert found.splitlines() == [
            f"{SW}/bin/hello-declos",
            f"{SW}/sbin/declos-admin",
            "hello from declos",
        ]


def test_profile_is_idempotent_and_keeps_an_unset_path_working(switched: Switched) -> None:
    target = os.readlink(switched.root / "run/current-system")
    script = (
        ". /etc/profile.d/declos.sh; . /etc/profile.d/declos.sh; "
        'printf "%s\\n" "$PATH" "$XDG_DATA_DIRS" "${__declos_p-gone}${__declos_d-gone}"; '
        "command -v hello-declos"
    )
    # env -i: PATH and XDG_DATA_DIRS unset; set -u: no unset variable is read.
    proc = enter(["env", "-i", "sh", "-uc", script], current=target, etc=switched.root / "etc")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        f"{SW}/bin:{SW}/sbin:{HOST_PATH}",
        f"{SW}/share:/usr/local/share:/usr/share",
        "gonegone",
        f"{SW}/bin/hello-declos",
    ]
    # A value that is set is kept after the profile's directory, and a
    # directory already on PATH (anywhere) is not added again.
    script = '. /etc/profile.d/declos.sh; printf "%s\\n" "$PATH" "$XDG_DATA_DIRS"'
    env = ["env", "-i", f"PATH=/usr/bin:{SW}/bin:/bin", "XDG_DATA_DIRS=/opt/share"]
    proc = enter([*env, "sh", "-c", script], current=target, etc=switched.root / "etc")
    assert proc.stdout.splitlines() == [
        f"{SW}/sbin:/usr/bin:{SW}/bin:/bin",
        f"{SW}/share:/opt/share",
    ]


def test_nothing_changes_while_the_profile_is_missing(switched: Switched) -> None:
    """Before /run/current-system exists (early boot, a scratch root), the
    distribution's PATH is left exactly as it is."""
    script = '. /etc/profile.d/declos.sh; printf "%s\\n" "$PATH" "${XDG_DATA_DIRS-unset}"'
    proc = enter(
        ["env", "-i", "PATH=/usr/bin:/bin", "sh", "-c", script],
        current=None,
        etc=switched.root / "etc",
    )
    assert proc.stdout.splitlines() == ["/usr/bin:/bin", "unset"]


def test_su_to_a_user_gives_a_login_path_with_the_packages(switched: Switched) -> None:
    need_root()
    target = os.readlink(switched.root / "run/current-system")
    script = 'command -v hello-declos; printf "%s\\n" "$PATH"'
    runs = {}
    for current in (None, target):
        proc = enter(["su", "-", "alice", "-c", script], current=current, etc=switched.root / "etc")
        runs[current] = proc
    with_sw, without = runs[target], runs[None]
    assert with_sw.returncode == 0, with_sw.stderr
    (base,) = without.stdout.splitlines()  # no hello-declos without the profile
    assert "sbin" not in base  # Debian gives users no sbin: still true after the profile's
    assert with_sw.stdout.splitlines() == [f"{SW}/bin/hello-declos", f"{SW}/bin:{SW}/sbin:{base}"]


def test_sudo_secure_path_has_the_packages(switched: Switched) -> None:
    need_root()
    for program in ("sudo", "visudo"):
        if shutil.which(program, path="/usr/sbin:/usr/bin:/sbin:/bin") is None:
            pytest.skip(f"{program} is not installed")
    text = (switched.root / "etc/sudoers.d/declos").read_text()
    secure = f"{SW}/bin:{SW}/sbin:{HOST_PATH}"
    assert f'Defaults\tsecure_path="{secure}"' in text.splitlines()
    target = os.readlink(switched.root / "run/current-system")
    etc = switched.root / "etc"

    checked = enter(["visudo", "-c"], current=target, etc=etc)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "/etc/sudoers.d/declos: parsed OK" in checked.stdout

    script = 'command -v hello-declos; printf "%s\\n" "$PATH"; hello-declos'
    ran = enter(["sudo", "-u", "alice", "sh", "-c", script], current=target, etc=etc)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines() == [f"{SW}/bin/hello-declos", secure, "hello from declos"]

    listed = enter(["sudo", "-l"], current=target, etc=etc)
    # sudo -l lists both, Debian's and then declos' (the last one counts),
    # with ":" escaped.
    defaults = listed.stdout.replace("\\:", ":").replace("\n    ", " ")
    assert defaults.index(f"secure_path={HOST_PATH}") < defaults.index(f"secure_path={secure}")


def test_systemd_user_managers_get_the_packages(switched: Switched) -> None:
    """What systemd's environment.d generator hands a user manager."""
    if not os.access(GENERATOR, os.X_OK):
        pytest.skip(f"{GENERATOR} is not installed")
    target = os.readlink(switched.root / "run/current-system")
    base = "/usr/local/bin:/usr/bin:/bin"
    argv = ["env", "-i", f"PATH={base}", "HOME=/nonexistent", GENERATOR]
    proc = enter(argv, current=target, etc=switched.root / "etc")
    assert proc.returncode == 0, proc.stderr
    env = dict(line.split("=", 1) for line in proc.stdout.splitlines())
    assert env["PATH"] == f"{SW}/bin:{SW}/sbin:{base}"
    assert env["XDG_DATA_DIRS"] == f"{SW}/share:/usr/local/share:/usr/share"
    assert env["INFOPATH"] == f"{SW}/info:{SW}/share/info:"  # ":": info's own path after


def test_files_only_with_packages_and_gone_after_switching_away(tmp_path: Path) -> None:
    empty = switch_text(tmp_path, "{ }")
    assert empty.code == 0, empty.err
    assert empty.manifest()["etc"] == {}

    s = switch_text(tmp_path, PACKAGES)
    assert s.code == 0, s.err
    etc = s.root / "etc"
    for name in ("profile.d/declos.sh", "environment.d/50-declos.conf", "sudoers.d/declos"):
        assert (etc / name).is_symlink() or (etc / name).is_file(), name
    # sudo checks only what a user wrote: the secure_path line alone is not
    # worth a "not run" warning on a host without visudo.
    assert not (s.root / "run/current-system/checks/sudoers").exists()

    back = switch_text(tmp_path, "{ }")
    assert back.code == 0, back.err
    for name in ("profile.d/declos.sh", "environment.d/50-declos.conf", "sudoers.d/declos"):
        assert not os.path.lexists(etc / name), name


def test_sudo_disabled_or_configured(build) -> None:
    pkg = '(pkgs.writeShellScriptBin "hello-declos" "echo hi")'
    off = build(
        f"{{ pkgs, ... }}: {{ environment.systemPackages = [ {pkg} ]; security.sudo.enable = false; }}"
    )
    assert "sudoers.d/declos" not in off.manifest["etc"]
    assert "profile.d/declos.sh" in off.manifest["etc"]

    ruled = build(
        f"""
        {{ pkgs, ... }}: {{
          environment.systemPackages = [ {pkg} ];
          security.sudo.extraRules = [ {{ users = [ "alice" ]; commands = [ "ALL" ]; }} ];
          security.sudo.extraConfig = "Defaults:alice secure_path=\\"/opt/bin\\"";
        }}
        """
    )
    lines = ruled.etc("sudoers.d/declos").read_text().splitlines()
    # The packages' secure_path first, so that the user's own Defaults win.
    assert lines[1] == f'Defaults\tsecure_path="{SW}/bin:{SW}/sbin:{HOST_PATH}"'
    assert lines[2:] == ["alice\tALL=(ALL:ALL)\tALL", 'Defaults:alice secure_path="/opt/bin"']
    assert (ruled.toplevel / "checks/sudoers").exists()  # checked, since a user wrote rules


def test_more_profiles_and_variables(build) -> None:
    system = build(
        """
        { pkgs, ... }: {
          environment.systemPackages = [ (pkgs.writeShellScriptBin "hello-declos" "echo hi") ];
          environment.profiles = [ "/opt/tools" ];
          environment.profileRelativeEnvVars.MANPATH = [ "/share/man" ];
          environment.profileRelativeEnvVars.LD_EXTRA = [ "/lib" ];
        }
        """
    )
    lines = system.etc("environment.d/50-declos.conf").read_text().splitlines()
    assert lines[2:] == [
        f"INFOPATH=/opt/tools/info:/opt/tools/share/info:{SW}/info:{SW}/share/info:${{INFOPATH:-}}",
        f"LD_EXTRA=/opt/tools/lib:{SW}/lib${{LD_EXTRA:+:$LD_EXTRA}}",
        f"MANPATH=/opt/tools/share/man:{SW}/share/man:${{MANPATH:-}}",
        f"PATH=/opt/tools/bin:/opt/tools/sbin:{SW}/bin:{SW}/sbin:${{PATH:-{HOST_PATH}}}",
        f"XDG_DATA_DIRS=/opt/tools/share:{SW}/share:${{XDG_DATA_DIRS:-/usr/local/share:/usr/share}}",
    ]
    # A user's variable is set first; the profiles' directories go before it.
    profile = build(
        """
        { pkgs, ... }: {
          environment.systemPackages = [ (pkgs.writeTextDir "share/x/y" "z") ];
          environment.variables.XDG_DATA_DIRS = [ "/usr/share" "/var/lib/flatpak/exports/share" ];
        }
        """
    )
    script = f'. {profile.etc("profile.d/declos.sh")}; printf "%s\\n" "$XDG_DATA_DIRS"'
    proc = enter(["env", "-i", "sh", "-c", script], current=str(profile.toplevel))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"{SW}/share:/usr/share:/var/lib/flatpak/exports/share\n"


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ('environment.profiles = [ "/opt/my tools" ];', "environment.profiles"),
        ('environment.profiles = [ "opt/tools" ];', "environment.profiles"),
        ('environment.profiles = [ "/opt/$USER" ];', "environment.profiles"),
        (
            'environment.profileRelativeEnvVars.PATH = [ "bin" ];\n  environment.profiles = [ "/t" ];',
            "environment.profileRelativeEnvVars",
        ),
    ],
)
def test_bad_profiles_name_the_line(build, definition: str, expected: str) -> None:
    err = build(f"{{\n  {definition}\n}}\n", fails=True)
    assert expected in err and "config.dcl:2" in err
    assert "normalized absolute path" in err


def test_bad_variable_name_is_an_assertion(build) -> None:
    err = build(
        '{ environment.profiles = [ "/opt/t" ]; environment.profileRelativeEnvVars."MY-VAR" = [ "/x" ]; }',
        fails=True,
    )
    assert "Failed assertions" in err
    assert 'environment.profileRelativeEnvVars."MY-VAR" (defined in ' in err
    assert "config.dcl:1): not a valid shell variable name" in err
