{ lib, ... }:
{
  options.entries = lib.mkOption {
    default = [ ];
    type = lib.types.listOf (lib.types.submodule { options.n = lib.mkOption { type = lib.types.int; }; });
  };
  config.entries = [ { n = 1; } { n = "two"; } ];
}
