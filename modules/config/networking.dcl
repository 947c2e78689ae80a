# Networking, the minimal part: `networking.hostName` -> /etc/hostname.
# (The module-library issue adds hosts, nameservers, the firewall.)
{ config, lib, ... }:

let
  inherit (lib) mkOption types;
  cfg = config.networking;
in
{
  options.networking.hostName = mkOption {
    # RFC 1123 labels, as NixOS checks them.
    type = types.nullOr (types.strMatching "^$|^[[:alnum:]]([[:alnum:]_-]{0,61}[[:alnum:]])?$");
    default = null;
    example = "webserver";
    description = ''
      The name of the machine, written to /etc/hostname (and recorded in
      the manifest).  Unlike NixOS, the default (null) leaves the host's
      own /etc/hostname alone, since declos runs on distributions that
      set it themselves.  A single label: letters, digits, "-" and "_",
      at most 63 characters.
    '';
  };

  config = lib.mkIf (cfg.hostName != null && cfg.hostName != "") {
    environment.etc.hostname.text = "${cfg.hostName}\n";
  };
}
