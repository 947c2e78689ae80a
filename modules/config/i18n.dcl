# `i18n.defaultLocale` and `i18n.extraLocaleSettings` -> /etc/locale.conf
# (LANG= and LC_*=, read by systemd and by login shells on most
# distributions).  The locale itself must exist on the host (locale-gen);
# declos does not build locales.
{ config, lib, ... }:

let
  inherit (lib) mkOption types;
  cfg = config.i18n;

  settings = lib.optionalAttrs (cfg.defaultLocale != null) { LANG = cfg.defaultLocale; }
    // cfg.extraLocaleSettings;

  localeType = types.strMatching "[A-Za-z0-9_.@+-]+" // { description = "locale name"; };
in
{
  options.i18n = {
    defaultLocale = mkOption {
      type = types.nullOr localeType;
      default = null;
      example = "nl_NL.UTF-8";
      description = ''
        The default locale (LANG= in /etc/locale.conf).  Unlike NixOS
        ("en_US.UTF-8"), the default null leaves the host's locale.conf
        alone unless `extraLocaleSettings` is set.
      '';
    };

    extraLocaleSettings = mkOption {
      type = types.attrsOf localeType;
      default = { };
      example = { LC_MESSAGES = "en_US.UTF-8"; LC_TIME = "de_DE.UTF-8"; };
      description = "Further locale variables (LC_*) of /etc/locale.conf.";
    };
  };

  config = lib.mkIf (settings != { }) {
    assertions = map (n: {
      assertion = n == "LANG" || n == "LANGUAGE" || lib.hasPrefix "LC_" n;
      message = "i18n.extraLocaleSettings.${n}: only LANG, LANGUAGE and LC_* variables belong in /etc/locale.conf.";
    }) (builtins.attrNames cfg.extraLocaleSettings);

    environment.etc."locale.conf".text =
      lib.concatStrings (lib.mapAttrsToList (n: v: "${n}=${v}\n") settings);
  };
}
