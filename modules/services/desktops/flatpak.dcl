# `services.flatpak`: declared remotes and applications.
#
#   services.flatpak = {
#     enable = true;
#     remotes.flathub.url = "https://dl.flathub.org/repo/flathub.flatpakrepo";
#     packages = [ "flathub:org.mozilla.firefox" "org.gnome.Calculator" ];
#   };
#
# The declaration is recorded in the generation as etc entries:
# /etc/declos/flatpak/remotes/<name> (the URL) and one entry per
# application, /etc/declos/flatpak/apps/<remote>/<app id>, so the plan
# (`declos switch --dry-run`, `declos diff`) lists every application
# added and removed.  The activation script `flatpak` carries it out only
# where a `flatpak` command exists on the host: it adds the remotes,
# installs what is missing, and uninstalls what an earlier generation
# installed and this one no longer declares (remembered in
# <root>/var/lib/declos/flatpak-apps; applications installed by hand are
# never touched).  For a target root other than /, the system
# installation is <root>/var/lib/flatpak (FLATPAK_SYSTEM_DIR).  Unlike
# NixOS, declos installs neither flatpak nor the desktop portals.
{ config, lib, options, pkgs, ... }:

let
  inherit (lib) mkOption types;
  cfg = config.services.flatpak;
  chk = import ../../config/checks-lib.dcl { inherit lib; };

  # A remote name (ostree's: letters, digits and "_.-", not starting with
  # "." or "-"): it is written into the activation script (in an `echo
  # "..."`, where "$(...)" ran as root), is an argument of flatpak (where
  # "-..." is an option) and names a file under /etc/declos/flatpak.
  remoteRe = "[A-Za-z0-9_][A-Za-z0-9_.-]*";
  remoteName = chk.checkedStr "flatpakRemoteName"
    "flatpak remote name (letters, digits and \"_.-\", not starting with \".\" or \"-\")"
    (s: builtins.match remoteRe s != null);

  # Application ids are reverse-DNS names with at least three elements
  # (flatpak's rule), optionally "remote:" in front and "//branch" after.
  appIdRe = "[A-Za-z_][A-Za-z0-9_-]*(\\.[A-Za-z_][A-Za-z0-9_-]*){2,}(//[A-Za-z0-9_.-]+)?";

  packageType = types.strMatching "(${remoteRe}:)?${appIdRe}" // {
    description = "flatpak application id, optionally \"remote:\" in front (e.g. \"flathub:org.mozilla.firefox\")";
  };

  parse = p:
    let m = builtins.match "(([A-Za-z0-9_.-]+):)?(.*)" p; in {
      remote = if builtins.elemAt m 1 == null then cfg.defaultRemote else builtins.elemAt m 1;
      app = builtins.elemAt m 2;
    };

  apps = map parse (lib.unique cfg.packages);

  remoteOpts = { name, ... }: {
    options.url = mkOption {
      type = chk.checkedStr "flatpakRemoteUrl" "URL of one line (http://, https:// or file://)"
        (s: builtins.match "(https?|file)://.+" s != null && chk.isSingleLine s);
      example = "https://dl.flathub.org/repo/flathub.flatpakrepo";
      description = "Where the remote is: its .flatpakrepo file, or the repository URL.";
    };
  };

  q = lib.escapeShellArg;

  script = ''
    root="''${DECLOS_ROOT:-/}"
    if ! command -v flatpak >/dev/null 2>&1; then
      echo "flatpak: no flatpak on this host; declared applications not installed:${lib.concatMapStrings (a: " ${a.app}") apps}"
      exit 0
    fi
    if [ "$root" != / ]; then
      FLATPAK_SYSTEM_DIR="$root/var/lib/flatpak"
      export FLATPAK_SYSTEM_DIR
    fi
    state="$root/var/lib/declos/flatpak-apps"
    mkdir -p "$root/var/lib/declos"
    ${lib.concatStrings (lib.mapAttrsToList (name: r: ''
      flatpak remote-add --system --if-not-exists ${q name} ${q r.url}
    '') cfg.remotes)}
    ${lib.concatMapStrings (a: ''
      if ! flatpak info --system ${q a.app} >/dev/null 2>&1; then
        echo "flatpak: install ${a.remote} ${a.app}"
        flatpak install --system --noninteractive -y ${q a.remote} ${q a.app}
      fi
    '') apps}
    if [ -f "$state" ]; then
      while read -r app; do
        case " ${lib.concatMapStringsSep " " (a: a.app) apps} " in
          *" $app "*) ;;
          *) echo "flatpak: uninstall $app"
             flatpak uninstall --system --noninteractive -y "$app" || echo "flatpak: could not uninstall $app" >&2 ;;
        esac
      done < "$state"
    fi
    : > "$state.tmp"
    ${lib.concatMapStrings (a: "echo ${q a.app} >> \"$state.tmp\"\n") apps}
    mv "$state.tmp" "$state"
  '';
in
{
  options.services.flatpak = {
    enable = mkOption {
      type = types.bool;
      default = false;
      description = "Whether the declared flatpak remotes and applications are managed.";
    };

    remotes = mkOption {
      type = types.attrsOf (types.submodule remoteOpts);
      default = { };
      example = { flathub.url = "https://dl.flathub.org/repo/flathub.flatpakrepo"; };
      description = "Flatpak remotes (system-wide), by name.";
    };

    defaultRemote = mkOption {
      type = remoteName;
      default = "flathub";
      description = "The remote of an application given without \"remote:\".";
    };

    packages = mkOption {
      type = types.listOf packageType;
      default = [ ];
      example = [ "flathub:org.mozilla.firefox" "org.gnome.Calculator" ];
      description = ''
        Applications installed system-wide: "remote:app-id" or an app id
        alone (from `defaultRemote`).  An application that a later
        generation drops is uninstalled; ones installed by hand are left
        alone.
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = map (a: {
      assertion = cfg.remotes ? ${a.remote};
      message = "services.flatpak.packages: ${a.app} comes from the remote \"${a.remote}\", which is not declared in services.flatpak.remotes${lib.optionalString (cfg.remotes != { }) " (declared: ${lib.concatStringsSep ", " (builtins.attrNames cfg.remotes)})"}.";
    }) apps
    ++ map (name: {
      assertion = builtins.match remoteRe name != null;
      message = "services.flatpak.remotes.${chk.show name}${chk.definedIn (chk.attrLocations options.services.flatpak.remotes name)}: not a flatpak remote name (letters, digits and \"_.-\", not starting with \".\" or \"-\").";
    }) (builtins.attrNames cfg.remotes);

    environment.etc = lib.mkMerge (
      lib.mapAttrsToList (name: r: { "declos/flatpak/remotes/${name}".text = "${r.url}\n"; }) cfg.remotes
      ++ map (a: { "declos/flatpak/apps/${a.remote}/${lib.replaceStrings [ "//" ] [ "@" ] a.app}".text = "${a.remote} ${a.app}\n"; }) apps
    );

    system.activationScripts.flatpak = script;
  };
}
