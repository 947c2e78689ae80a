{ lib, ... }:
{
  options.good = lib.mkOption {
    type = lib.types.int;
    default = 1;
  };
  options.bad = lib.mkOption {
    type = lib.types.int;
    description = "Its definition throws.";
  };
  options.badType = lib.mkOption { type = lib.types.int; };
  options.partly = lib.mkOption {
    type = lib.types.attrsOf lib.types.int;
    default = { };
  };
  options.badCondition = lib.mkOption {
    type = lib.types.int;
    default = 0;
  };
  config.bad = throw "no value for you";
  config.badType = "eighty";
  config.partly = {
    a = 1;
    b = builtins.abort "inner";
  };
  config.badCondition = lib.mkIf (throw "the condition fails") 3;
}
