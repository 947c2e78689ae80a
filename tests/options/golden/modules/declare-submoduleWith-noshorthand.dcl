{ lib, ... }:
{
  options.submodule = lib.mkOption {
    default = { };
    type = lib.types.submoduleWith {
      modules = [ { options.config = lib.mkOption { type = lib.types.bool; default = false; }; } ];
    };
  };
}
