{ lib, ... }:
{
  options.sub = lib.mkOption {
    default = { };
    type = lib.types.submoduleWith { class = "nixos"; modules = [ ]; };
  };
  options.subDarwinFails = lib.mkOption {
    default = { };
    type = lib.types.submoduleWith { class = "nixos"; modules = [ ./class-darwin.dcl ]; };
  };
}
