"""services.flatpak, security.apparmor and system.healthChecks cannot be made
to run a command or write a line they do not declare.

A flatpak remote name reached the activation script (run as root by
`declos switch`) inside an `echo "..."`: `defaultRemote = "$(CMD)"` with a
remote of that name ran CMD; remote names are ostree names now (attribute
names, `defaultRemote`, the "remote:" of `packages`), never a flatpak option
("-..."), and a remote's URL is one line.  AppArmor policy names and health
check names were already file names (a "$(...)" or a line end is refused);
their errors name the definition's file:line.  Each refusal names the
option, what was expected and the file:line, and nothing is built; plain
values render byte for byte as before."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

FLATHUB = '"https://dl.flathub.org/repo/flathub.flatpakrepo"'
FLATPAK = "services.flatpak = { enable = true;"
REMOTE_NAME = 'letters, digits and "_.-", not starting with "." or "-"'
CASES = [
    (
        "flatpak default remote with shell syntax",
        FLATPAK
        + ' defaultRemote = "$(touch /tmp/p)"; remotes."$(touch /tmp/p)".url = '
        + FLATHUB
        + '; packages = [ "org.mozilla.firefox" ]; };',
        ["services.flatpak.defaultRemote", "flatpak remote name", REMOTE_NAME, '"$(touch /tmp/p)"'],
    ),
    (
        "flatpak remote name with shell syntax",
        FLATPAK + ' remotes."x$(touch /tmp/p)".url = ' + FLATHUB + "; };",
        ['services.flatpak.remotes."x$(touch /tmp/p)"', "not a flatpak remote name", REMOTE_NAME],
    ),
    (
        "flatpak remote name as an option",
        FLATPAK + ' remotes."--gpg-import=/tmp/k".url = ' + FLATHUB + "; };",
        ['services.flatpak.remotes."--gpg-import=/tmp/k"', "not a flatpak remote name"],
    ),
    (
        "flatpak package from a remote named as an option",
        FLATPAK + ' packages = [ "-x:org.mozilla.firefox" ]; };',
        ["services.flatpak.packages", "flatpak application id"],
    ),
    (
        "flatpak remote URL with a line end",
        FLATPAK
        + r' remotes.flathub.url = "https://dl.flathub.org/repo/\nhttps://evil.example/"; };',
        ["services.flatpak.remotes.flathub.url", "URL of one line"],
    ),
    (
        "apparmor policy name with shell syntax",
        'security.apparmor = { enable = true; policies."x$(touch /tmp/p)".profile = "profile x { }"; };',
        ['security.apparmor.policies."x$(touch /tmp/p)"', "a file name under /etc/apparmor.d"],
    ),
    (
        "apparmor policy name with a line end",
        r'security.apparmor = { enable = true; policies."x\ny".profile = "profile x { }"; };',
        [r'security.apparmor.policies."x\ny"', "a file name under /etc/apparmor.d"],
    ),
    (
        "health check name with a line end",
        r'system.healthChecks."x\"\ntouch /tmp/p\n#" = "true";',
        [r'The health check name "x\"\ntouch /tmp/p\n#"', "is not valid"],
    ),
]


@pytest.mark.parametrize(("what", "line", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_value_that_would_run_a_command_is_refused(build, what, line, expected):
    err = build("{\n  " + line + "\n}\n", fails=True)
    for text in expected:
        assert text in err
    assert "config.dcl:2" in err
    made = build.store_names()
    assert not [n for n in made if n.endswith("declos-system")]


FLATPAK_SCRIPT = """\
#!/bin/sh
root="${DECLOS_ROOT:-/}"
if ! command -v flatpak >/dev/null 2>&1; then
  echo "flatpak: no flatpak on this host; declared applications not installed: \
org.mozilla.firefox org.gnome.Calculator org.gnome.Builder//master"
  exit 0
fi
if [ "$root" != / ]; then
  FLATPAK_SYSTEM_DIR="$root/var/lib/flatpak"
  export FLATPAK_SYSTEM_DIR
fi
state="$root/var/lib/declos/flatpak-apps"
mkdir -p "$root/var/lib/declos"
flatpak remote-add --system --if-not-exists flathub https://dl.flathub.org/repo/flathub.flatpakrepo
flatpak remote-add --system --if-not-exists gnome-nightly.x_1 file:///srv/repo

if ! flatpak info --system org.mozilla.firefox >/dev/null 2>&1; then
  echo "flatpak: install flathub org.mozilla.firefox"
  flatpak install --system --noninteractive -y flathub org.mozilla.firefox
fi
if ! flatpak info --system org.gnome.Calculator >/dev/null 2>&1; then
  echo "flatpak: install flathub org.gnome.Calculator"
  flatpak install --system --noninteractive -y flathub org.gnome.Calculator
fi
if ! flatpak info --system org.gnome.Builder//master >/dev/null 2>&1; then
  echo "flatpak: install gnome-nightly.x_1 org.gnome.Builder//master"
  flatpak install --system --noninteractive -y gnome-nightly.x_1 org.gnome.Builder//master
fi

if [ -f "$state" ]; then
  while read -r app; do
    case " org.mozilla.firefox org.gnome.Calculator org.gnome.Builder//master " in
      *" $app "*) ;;
      *) echo "flatpak: uninstall $app"
         flatpak uninstall --system --noninteractive -y "$app" || \
echo "flatpak: could not uninstall $app" >&2 ;;
    esac
  done < "$state"
fi
: > "$state.tmp"
echo org.mozilla.firefox >> "$state.tmp"
echo org.gnome.Calculator >> "$state.tmp"
echo org.gnome.Builder//master >> "$state.tmp"

mv "$state.tmp" "$state"

"""

APPARMOR_SCRIPT = """\
#!/bin/sh
if [ "${DECLOS_ROOT:-/}" = / ] && [ -d /sys/kernel/security/apparmor ] \\
   && command -v apparmor_parser >/dev/null 2>&1; then
apparmor_parser --replace --write-cache /etc/apparmor.d/my_app-2+x \\
  || echo "apparmor: could not load /etc/apparmor.d/my_app-2+x" >&2
apparmor_parser --replace --write-cache --complain /etc/apparmor.d/usr.bin.myapp \\
  || echo "apparmor: could not load /etc/apparmor.d/usr.bin.myapp" >&2

fi

"""

PROFILE = """\
abi <abi/3.0>,
include <tunables/global>
profile myapp /usr/bin/myapp {
  include <abstractions/base>
  /etc/myapp/** r,
}
"""


def test_plain_values_render_as_before(build):
    system = build(
        """
        {
          security.apparmor = {
            enable = true;
            policies."usr.bin.myapp" = { enforce = false; profile = ''
              abi <abi/3.0>,
              include <tunables/global>
              profile myapp /usr/bin/myapp {
                include <abstractions/base>
                /etc/myapp/** r,
              }
            ''; };
            policies."my_app-2+x".profile = "profile x /usr/bin/x { }\\n";
          };
          services.flatpak = {
            enable = true;
            remotes.flathub.url = "https://dl.flathub.org/repo/flathub.flatpakrepo";
            remotes."gnome-nightly.x_1".url = "file:///srv/repo";
            packages = [ "flathub:org.mozilla.firefox" "org.gnome.Calculator"
                         "gnome-nightly.x_1:org.gnome.Builder//master" ];
          };
          system.healthChecks.web = "curl -fsS http://127.0.0.1/ >/dev/null";
          system.healthChecks."disk_1.x@y+z" = { script = "test 1 -lt 95"; required = false; timeout = 10; };
        }
        """
    )
    scripts = {
        s["name"]: Path(s["script"]).read_text() for s in system.manifest["activationScripts"]
    }
    assert scripts["flatpak"] == FLATPAK_SCRIPT
    assert scripts["apparmor"] == APPARMOR_SCRIPT
    assert system.etc("apparmor.d/usr.bin.myapp").read_text() == PROFILE
    assert system.etc("apparmor.d/force-complain/usr.bin.myapp").read_text() == PROFILE
    assert system.etc("apparmor.d/my_app-2+x").read_text() == "profile x /usr/bin/x { }\n"
    flatpak = "declos/flatpak/"
    assert (
        system.etc(flatpak + "remotes/flathub").read_text()
        == "https://dl.flathub.org/repo/flathub.flatpakrepo\n"
    )
    assert system.etc(flatpak + "remotes/gnome-nightly.x_1").read_text() == "file:///srv/repo\n"
    assert (
        system.etc(flatpak + "apps/flathub/org.gnome.Calculator").read_text()
        == "flathub org.gnome.Calculator\n"
    )
    assert (
        system.etc(flatpak + "apps/gnome-nightly.x_1/org.gnome.Builder@master").read_text()
        == "gnome-nightly.x_1 org.gnome.Builder//master\n"
    )
    store = re.compile(r"/\S+/store/[a-z0-9]{32}-")
    assert store.sub(
        "STORE/", system.etc("declos/health-checks/wanted.d/disk_1.x@y+z").read_text()
    ) == (
        '#!/bin/sh\n# declos health check "disk_1.x@y+z" (system.healthChecks), wanted\n'
        "exec timeout --kill-after=5 10 /bin/sh -e STORE/health-check-disk_1.x-y+z-script\n\n"
    )
    assert store.sub("STORE/", system.etc("declos/health-checks/required.d/web").read_text()) == (
        '#!/bin/sh\n# declos health check "web" (system.healthChecks), required\n'
        "exec timeout --kill-after=5 60 /bin/sh -e STORE/health-check-web-script\n\n"
    )
