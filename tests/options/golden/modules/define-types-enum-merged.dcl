{ lib, ... }:
{
  imports = [ { options.merged = lib.mkOption { type = lib.types.enum [ "x" ]; }; } ];
  options.merged = lib.mkOption { type = lib.types.enum [ "y" "z" ]; };
  config.merged = "z";
}
