{ lib, ... }:
{
  options.holder = lib.mkOption { default = { }; type = lib.types.submodule { options.needed = lib.mkOption { type = lib.types.str; }; }; };
}
