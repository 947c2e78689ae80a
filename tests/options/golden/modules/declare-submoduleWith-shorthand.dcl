{ lib, ... }:
{
  options.submodule = lib.mkOption {
    default = { };
    type = lib.types.submoduleWith {
      shorthandOnlyDefinesConfig = true;
      modules = [ { options.config = lib.mkOption { type = lib.types.bool; default = false; }; } ];
    };
  };
}
