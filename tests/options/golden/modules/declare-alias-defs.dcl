{ lib, options, ... }:
{
  options.source = lib.mkOption { type = lib.types.listOf lib.types.int; default = [ ]; };
  options.target = lib.mkOption { type = lib.types.listOf lib.types.int; default = [ ]; };
  config.target = lib.mkAliasDefinitions options.source;
}
