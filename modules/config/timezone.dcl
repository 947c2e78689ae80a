# `time.timeZone` -> /etc/localtime, a link into the host's
# /usr/share/zoneinfo.  The zone is checked at evaluation: an unknown zone
# is an error naming the option and the file that set it.
{ config, lib, ... }:

let
  inherit (lib) mkOption types;

  zoneinfo = "/usr/share/zoneinfo";

  # A zone is a relative name of a regular file under zoneinfo ("UTC",
  # "Europe/Berlin"); "Europe" (a directory) or "../../etc/passwd" is not.
  isZone = zone:
    builtins.match "[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*" zone != null
    && builtins.pathExists "${zoneinfo}/${zone}"
    && fileType "${zoneinfo}/${zone}" != "directory";

  # Nix 2.8 (bench/stack.py's oracle) has no readFileType; readDir's entry
  # is the same lstat answer.
  fileType = builtins.readFileType
    or (path: (builtins.readDir (dirOf path)).${baseNameOf path});

  timeZoneType = types.addCheck types.str isZone // {
    name = "timeZone";
    description = "time zone name (a file under ${zoneinfo} on this host)";
  };

  tz = config.time.timeZone;
in
{
  options.time.timeZone = mkOption {
    type = types.nullOr timeZoneType;
    default = null;
    example = "America/New_York";
    description = ''
      The time zone used when displaying times and dates: /etc/localtime
      becomes a link to ${zoneinfo}/<zone>.  Null leaves /etc/localtime
      alone.  See `timedatectl list-timezones` for the names.
    '';
  };

  config = lib.mkIf (tz != null) {
    environment.etc.localtime = {
      source = "${zoneinfo}/${tz}";
      mode = "symlink";
    };
  };
}
