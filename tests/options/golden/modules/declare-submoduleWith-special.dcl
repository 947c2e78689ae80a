{ lib, ... }:
{
  options.submodule = lib.mkOption {
    default = { };
    type = lib.types.submoduleWith {
      specialArgs.foo = "foo";
      modules = [ ({ lib, foo, ... }: { options.foo = lib.mkOption { default = foo; }; }) ];
    };
  };
}
