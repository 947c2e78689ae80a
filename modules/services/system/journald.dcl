# `services.journald`: settings of the host's systemd-journald, with NixOS's
# option names, in the drop-in /etc/systemd/journald.conf.d/50-declos.conf
# (the distribution's journald.conf stays).  journald is restarted when the
# drop-in changes (daemon-lib.dcl).
#
#   services.journald = {
#     storage = "volatile";
#     extraConfig = "SystemMaxUse=200M";
#   };
#
# Unlike NixOS, which writes its defaults (Storage=persistent, a rate
# limit), an unset option (null) keeps the distribution's setting: nothing
# is written while nothing is set.
#
# Every setting is one line of the drop-in: `console` is refused with a line
# end (systemd's reader ends a line at "\n" and "\r", which would add a
# setting) or a final backslash (which continues the line onto the next:
# `console = "/dev/tty12\\"` swallowed the first line of extraConfig).
# `extraConfig` is free text by design, as in NixOS.
{ config, options, lib, ... }:

let
  inherit (lib) mkOption types;
  cfg = config.services.journald;
  d = import ./daemon-lib.dcl { inherit lib; };
  chk = import ../../config/checks-lib.dcl { inherit lib; };

  yesNo = b: if b == null then null else if b then "yes" else "no";
  settings = {
    Storage = cfg.storage;
    RateLimitIntervalSec = cfg.rateLimitInterval;
    RateLimitBurst = if cfg.rateLimitBurst == null then null else toString cfg.rateLimitBurst;
    ForwardToSyslog = yesNo cfg.forwardToSyslog;
    ForwardToConsole = yesNo (if cfg.console == "" then null else true);
    TTYPath = if cfg.console == "" then null else cfg.console;
    Audit = yesNo cfg.audit;
  };
  configured = lib.any (v: v != null) (lib.attrValues settings) || cfg.extraConfig != "";
  # `console` is checked by an assertion naming its definition; no text is
  # made from a console that fails it, so that daemon-lib's backstop (an
  # error without the definition's place) does not answer first.
  consoleOk = chk.isSingleLine cfg.console && !lib.hasSuffix "\\" cfg.console;
  text = if consoleOk then d.sectionText "Journal" settings cfg.extraConfig else "";
  name = d.dropInName "journald";
in
{
  options.services.journald = {
    storage = mkOption {
      type = types.nullOr (types.enum [ "persistent" "volatile" "auto" "none" ]);
      default = null;
      example = "volatile";
      description = "Where the journal is kept (Storage=; null: the distribution's, usually auto).";
    };
    rateLimitInterval = mkOption {
      type = types.nullOr (types.strMatching "[0-9]+ ?(us|ms|s|min|h)?");
      default = null;
      example = "30s";
      description = "The interval of the per-service log rate limit (RateLimitIntervalSec=; null: the distribution's).";
    };
    rateLimitBurst = mkOption {
      type = types.nullOr types.ints.unsigned;
      default = null;
      example = 10000;
      description = "How many messages a service may log per interval (RateLimitBurst=; null: the distribution's).";
    };
    forwardToSyslog = mkOption {
      type = types.nullOr types.bool;
      default = null;
      description = "Whether messages are forwarded to a syslog daemon (ForwardToSyslog=; null: the distribution's).";
    };
    console = mkOption {
      type = types.str;
      default = "";
      example = "/dev/tty12";
      description = "A terminal the journal is also written to (ForwardToConsole= and TTYPath=); empty: none.";
    };
    audit = mkOption {
      type = types.nullOr types.bool;
      default = null;
      description = "Whether kernel auditing is turned on and audit records collected (Audit=; null: the distribution's).";
    };
    extraConfig = mkOption {
      type = types.lines;
      default = "";
      example = "SystemMaxUse=200M";
      description = "More lines of the [Journal] section (journald.conf(5)).";
    };
  };

  config = lib.mkIf configured {
    assertions = [{
      assertion = consoleOk;
      message = "services.journald.console must be one line, without a final backslash (which continues a line onto the next): ${chk.show cfg.console}${chk.definedIn (chk.optionLocations options.services.journald.console (v: v == cfg.console))}.";
    }];
    environment.etc.${name}.text = text;
    system.activationScripts.journald = d.applyScript {
      unit = "systemd-journald.service";
      files = [ config.environment.etc.${name}.source ];
    };
  };
}
