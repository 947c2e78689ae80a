{ lib, ... }:
{
  options.sub = lib.mkOption {
    default = { };
    type = lib.types.submodule ({ lib, subArg, ... }: {
      options.fromArg = lib.mkOption { type = lib.types.str; default = subArg; };
      config._module.args.subArg = "sub arg";
    });
  };
}
