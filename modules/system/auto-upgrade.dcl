# `system.autoUpgrade`: a timer that fetches the configuration and
# switches to it (NixOS's option; `source` takes the place of NixOS's
# flake or channel): a git repository (cloned once into
# /var/lib/declos/auto-upgrade/checkout, then fetched) or a path on the
# host.
#
#   system.autoUpgrade = {
#     enable = true;
#     source = "https://git.example.org/infra/hosts.git";
#     file = "web1/config.dcl";
#     dates = "04:40";
#   };
#
# declos-upgrade.service (oneshot, started by declos-upgrade.timer) runs
# `declos switch FILE --root /` (or `boot`) with the declos that manages
# this host (the one declos-activate.service runs), in a transient unit of
# its own: a generation that drops the auto-upgrade stops this service but
# not the switch.  Like nixos-upgrade.service it is never restarted by a
# switch.  With `allowReboot` (off by default) the host reboots afterwards
# when its package manager says a reboot is needed (/run/reboot-required
# on Debian and Ubuntu, `needs-restarting -r` on Fedora), and always after
# a `boot` operation.
{ config, lib, pkgs, ... }:

let
  inherit (lib) mkOption types;
  cfg = config.system.autoUpgrade;
  state = "/var/lib/declos/auto-upgrade";
  isPath = lib.hasPrefix "/" cfg.source;
  q = lib.escapeShellArg;
  chk = import ../config/checks-lib.dcl { inherit lib; };
  inherit (import ./systemd-lib.dcl { inherit lib; }) unitStr;

  # `ref` is an argument of `git fetch`, which takes "--upload-pack=CMD"
  # ("-..." ran CMD as root): a ref name or a commit, never an option.
  refType = chk.checkedStr "gitRef"
    "git branch, tag or commit (letters, digits and \"_.+@/-\", not starting with \"-\", \".\" or \"/\", no \"..\" or \"//\")"
    (s: builtins.match "[A-Za-z0-9_]([A-Za-z0-9_.+@/-]*[A-Za-z0-9_+@-])?" s != null
      && !(lib.hasInfix ".." s) && !(lib.hasInfix "//" s));
  # `source` and `file` are echoed by the fetch script (sh's echo reads
  # backslashes: "\c" cut the name short) and `source` is git's argument.
  sourceType = chk.checkedStr "autoUpgradeSource"
    "git repository URL or absolute path (one line, no backslash, not starting with \"-\")"
    (s: s == "" || chk.isSingleLine s && !(lib.hasPrefix "-" s) && !(lib.hasInfix "\\" s));
  fileType = chk.checkedStr "autoUpgradeFile"
    "relative path inside the repository (one line, no \"..\", no backslash)"
    (s: builtins.match "[^/].*" s != null && chk.isSingleLine s && !(lib.hasInfix ".." s) && !(lib.hasInfix "\\" s));

  # Prints the configuration file to switch to, fetching it first (the
  # first and only argument is the state directory).
  fetch = pkgs.writeShellScript "declos-upgrade-fetch" ''
    set -eu
    state=$1
    ${if isPath then ''
      src=${q cfg.source}
      if [ -d "$src" ]; then src="$src/"${q cfg.file}; fi
      [ -f "$src" ] || { echo "system.autoUpgrade.source: $src is not a file" >&2; exit 1; }
      echo "$src"
    '' else ''
      repo=$state/checkout
      export HOME=$state GIT_TERMINAL_PROMPT=0
      if [ -d "$repo/.git" ] && [ "$(git -C "$repo" remote get-url origin)" = ${q cfg.source} ]; then
        git -C "$repo" fetch --quiet --depth 1 origin ${q cfg.ref} >&2
      else
        rm -rf "$repo"
        git init --quiet "$repo" >&2
        git -C "$repo" remote add origin ${q cfg.source}
        git -C "$repo" fetch --quiet --depth 1 origin ${q cfg.ref} >&2
      fi
      git -C "$repo" checkout --quiet --force --detach FETCH_HEAD >&2
      git -C "$repo" clean --quiet -f -d -x >&2
      echo "fetched $(git -C "$repo" rev-parse HEAD) from "${q cfg.source} >&2
      [ -f "$repo/"${q cfg.file} ] || { echo "system.autoUpgrade.file: "${q cfg.file}" is not in the repository" >&2; exit 1; }
      echo "$repo/"${q cfg.file}
    ''}
  '';

  rebootNeeded = "[ -e /run/reboot-required ] || { command -v needs-restarting >/dev/null && ! needs-restarting -r >/dev/null; }";
in
{
  options.system.autoUpgrade = {
    enable = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Whether the host switches by itself, periodically, to the
        configuration at `source` (declos-upgrade.timer).
      '';
    };
    source = mkOption {
      type = sourceType;
      default = "";
      example = "https://git.example.org/infra/hosts.git";
      description = ''
        Where the configuration comes from: an absolute path on the host
        (a configuration file, or a directory holding `file`), or anything
        `git fetch` takes (https://, ssh://, git@host:repo, file:///…).
      '';
    };
    ref = mkOption {
      type = refType;
      default = "HEAD";
      example = "main";
      description = "The branch, tag or commit of a git `source` to switch to (HEAD: the remote's default branch).";
    };
    file = mkOption {
      type = fileType;
      default = "config.dcl";
      example = "hosts/web1.dcl";
      description = "The configuration file, relative to the repository (or to a directory `source`).";
    };
    operation = mkOption {
      type = types.enum [ "switch" "boot" ];
      default = "switch";
      description = "`switch` activates the new generation at once; `boot` makes it the default at the next boot.";
    };
    flags = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "--keep-failed" ];
      description = "More arguments of `declos switch` (or `boot`).";
    };
    dates = mkOption {
      type = unitStr;
      default = "04:40";
      example = "daily";
      description = "When to upgrade (systemd.time(7) calendar syntax).";
    };
    randomizedDelaySec = mkOption {
      type = unitStr;
      default = "0";
      example = "45min";
      description = "A random delay added to each start (RandomizedDelaySec=), spreading a fleet's upgrades.";
    };
    persistent = mkOption {
      type = types.bool;
      default = true;
      description = "Whether a start missed while the host was off happens at the next boot.";
    };
    allowReboot = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Whether the host reboots after an upgrade: after `boot`, and after
        `switch` when the host's package manager says a reboot is needed.
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = [
      {
        assertion = cfg.source != "";
        message = "system.autoUpgrade.source must name a git repository or an absolute path (it is empty).";
      }
    ];

    environment.hostPackages = lib.optional (!isPath) "git";

    systemd.services.declos-upgrade = {
      # "%" starts a unit specifier (a URL's "%20" failed the unit check)
      description = "declos: switch to the configuration of ${lib.replaceStrings [ "%" ] [ "%%" ] cfg.source}";
      wants = [ "network-online.target" ];
      after = [ "network-online.target" ];
      restartIfChanged = false;
      environment.DECLOS_AUTO_UPGRADE = "1";
      serviceConfig.Type = "oneshot";
      startAt = cfg.dates;
      script = ''
        mkdir -p ${state}
        config=$(${fetch} ${state})
        py=$(sed -n 's/^ExecStart=\([^ ]*\) -m declos .*/\1/p' /etc/systemd/system/declos-activate.service 2>/dev/null | head -n 1)
        if [ -z "$py" ]; then
          echo "declos-activate.service names no declos: this host was never switched with --root /" >&2
          exit 1
        fi
        systemd-run --unit=declos-upgrade-switch --quiet --wait --pipe --collect --service-type=exec \
          -- "$py" -m declos ${cfg.operation} "$config" --root / ${lib.escapeShellArgs cfg.flags}
        ${lib.optionalString cfg.allowReboot (if cfg.operation == "boot" then "systemctl reboot" else ''
          if ${rebootNeeded}; then
            echo "the host needs a reboot: rebooting"
            systemctl reboot
          fi
        '')}
      '';
    };

    systemd.timers.declos-upgrade.timerConfig = {
      RandomizedDelaySec = cfg.randomizedDelaySec;
      Persistent = cfg.persistent;
    };

    system.build.autoUpgradeFetch = fetch;
  };
}
