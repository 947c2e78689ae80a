{ lib, ... }:
{
  options.warnings = lib.mkOption { type = lib.types.listOf lib.types.str; default = [ ]; };
  options.assertions = lib.mkOption { type = lib.types.listOf lib.types.unspecified; default = [ ]; };
}
