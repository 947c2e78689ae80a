{ lib, config, ... }:
{
  options.deferred = lib.mkOption { type = lib.types.deferredModule; default = { }; };
  options.result = lib.mkOption {
    type = lib.types.str;
    default = (lib.evalModules { modules = [ config.deferred { options.x = lib.mkOption { type = lib.types.str; }; } ]; }).config.x;
  };
}
