# `services.resolved`: the host's systemd-resolved as the local DNS
# resolver, with NixOS's options, in the drop-in
# /etc/systemd/resolved.conf.d/50-declos.conf (the distribution's
# resolved.conf stays).  Enabling it installs the host package
# systemd-resolved (`environment.hostPackages`; Debian's links
# /etc/resolv.conf to the stub resolver itself), starts it (enabled under
# multi-user.target) and restarts it when the drop-in changes.
#
#   services.resolved = { enable = true; dnssec = "allow-downgrade"; };
#   networking.nameservers = [ "9.9.9.9" ];     # DNS= of the drop-in
#
# `networking.nameservers` and `networking.search` become its DNS= and
# Domains= (as NixOS); /etc/resolv.conf, which networking.nameservers
# would otherwise write, is then the link to resolved's stub.
{ config, lib, ... }:

let
  inherit (lib) mkOption types;
  cfg = config.services.resolved;
  net = config.networking;
  d = import ./daemon-lib.dcl { inherit lib; };
  unit = "systemd-resolved.service";
  name = d.dropInName "resolved";
  words = xs: if xs == null || xs == [ ] then null else lib.concatStringsSep " " xs;
  text = d.sectionText "Resolve" {
    DNS = words net.nameservers;
    Domains = words cfg.domains;
    FallbackDNS = if cfg.fallbackDns == null then null else lib.concatStringsSep " " cfg.fallbackDns;
    LLMNR = cfg.llmnr;
    DNSSEC = cfg.dnssec;
    DNSOverTLS = cfg.dnsovertls;
  } cfg.extraConfig;
  # One word of a space-separated setting; no backslash: a value ending in
  # one continues the line onto the next setting (systemd's config reader).
  word = types.strMatching "[^[:space:]\\\\]+";
in
{
  options.services.resolved = {
    enable = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Whether systemd-resolved resolves names (installed from the host's
        package systemd-resolved, started and enabled at boot).
      '';
    };
    fallbackDns = mkOption {
      type = types.nullOr (types.listOf word);
      default = null;
      example = [ "9.9.9.9" "2620:fe::fe" ];
      description = "The servers used when no other is known (FallbackDNS=; an empty list: none; null: the distribution's).";
    };
    domains = mkOption {
      type = types.listOf word;
      default = net.search;
      defaultText = lib.literalExpression "config.networking.search";
      description = "Search domains (Domains=); `~.` routes every query to the DNS= servers.";
    };
    llmnr = mkOption {
      type = types.enum [ "true" "resolve" "false" ];
      default = "true";
      description = "Link-Local Multicast Name Resolution (LLMNR=).";
    };
    dnssec = mkOption {
      type = types.enum [ "true" "allow-downgrade" "false" ];
      default = "false";
      description = "Whether answers are DNSSEC-validated (DNSSEC=).";
    };
    dnsovertls = mkOption {
      type = types.enum [ "true" "opportunistic" "false" ];
      default = "false";
      description = "Whether queries go over TLS (DNSOverTLS=).";
    };
    extraConfig = mkOption {
      type = types.lines;
      default = "";
      example = "Cache=no-negative";
      description = "More lines of the [Resolve] section (resolved.conf(5)).";
    };
  };

  config = lib.mkIf cfg.enable {
    environment.hostPackages = [ "systemd-resolved" ];
    environment.etc = d.enableEntry unit // {
      ${name}.text = text;
      # resolved answers on the stub: what networking.nameservers would write is its DNS=
      "resolv.conf" = lib.mkIf (net.nameservers != [ ]) {
        source = lib.mkForce "/run/systemd/resolve/stub-resolv.conf";
      };
    };
    system.activationScripts.resolved = d.applyScript {
      inherit unit;
      files = [ config.environment.etc.${name}.source ];
      start = true;
      package = "systemd-resolved";
    };
  };
}
