# The directories of `environment.profiles` (the system profile
# /run/current-system/sw, when there are systemPackages) as each search-path
# variable sees them: what shells-environment.dcl puts in
# /etc/profile.d/declos.sh and /etc/environment.d/50-declos.conf, and
# sudo.dcl in `secure_path`.  A helper, never listed in module-list.dcl:
#
#   prof = import ../config/profiles-lib.dcl { inherit lib; };
#   prof.dirs config.environment
#   == { PATH = [ "/run/current-system/sw/bin" "/run/current-system/sw/sbin" ]; XDG_DATA_DIRS = [ … ]; … }
{ lib }:

let
  chk = import ./checks-lib.dcl { inherit lib; };

  # Characters left alone by sh inside double quotes, by environment.d(5)
  # and by a quoted sudoers value: no ":", "$", "\", quotes, "%" or spaces.
  plain = s: builtins.match "[A-Za-z0-9._+@/-]*" s != null;
in
rec {
  # The search path of the host underneath (Debian's root PATH, systemd's
  # default PATH and Debian's sudo secure_path, a superset of Fedora's and
  # Arch's): PATH when it is unset, and the tail of sudo's secure_path.
  hostPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  # What a variable means when it is unset, where that is not "nothing":
  # the XDG base directory specification's defaults.  INFOPATH and MANPATH
  # end in ":" instead (an empty element is the reader's default path).
  unsetDefaults = {
    PATH = hostPath;
    XDG_DATA_DIRS = "/usr/local/share:/usr/share";
    XDG_CONFIG_DIRS = "/etc/xdg";
  };
  colonDefault = [ "INFOPATH" "MANPATH" ];

  # The new value: the profile directories `p` (joined with ":"; in the
  # shell, "$__declos_p") before the variable's value, in the ${…} syntax
  # that sh and environment.d(5) share.
  extend = name: p:
    if unsetDefaults ? ${name} then "${p}:\${${name}:-${unsetDefaults.${name}}}"
    else if builtins.elem name colonDefault then "${p}:\${${name}:-}"
    else "${p}\${${name}:+:\$${name}}";

  # variable -> its directories, profile by profile (NixOS's order).
  dirs = environment:
    lib.filterAttrs (_: ds: ds != [ ]) (lib.mapAttrs
      (_: suffixes: lib.concatMap (p: map (s: p + s) suffixes) environment.profiles)
      environment.profileRelativeEnvVars);

  profileType = lib.types.addCheck lib.types.str (s: s != "/" && chk.isNormalizedAbsolute s && plain s) // {
    name = "profile";
    description = "normalized absolute path other than / of letters, digits and \"._+@-\"";
    descriptionClass = "noun";
  };

  suffixType = lib.types.addCheck lib.types.str (s: s == "" || profileType.check s) // {
    name = "profileSuffix";
    description = "\"\" or a normalized absolute path of letters, digits and \"._+@-\"";
    descriptionClass = "noun";
  };
}
