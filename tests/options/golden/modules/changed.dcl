{ lib, ... }:
{
  imports = [ (lib.mkChangedOptionModule [ "oldPort" ] [ "port" ] (config: toString config.oldPort)) ];
  options.port = lib.mkOption { type = lib.types.str; default = "none"; };
}
