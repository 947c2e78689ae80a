{ lib, ... }:
{
  options.assertions = lib.mkOption { type = lib.types.listOf lib.types.unspecified; default = [ ]; };
  options.warnings = lib.mkOption { type = lib.types.listOf lib.types.str; default = [ ]; };
}
