{ lib, ... }:
{
  options.documented = lib.mkOption {
    type = lib.types.listOf lib.types.int;
    default = [ 1 ];
    defaultText = lib.literalExpression "[ 1 ]";
    example = [ 2 3 ];
    description = "A documented option.";
    internal = true;
    visible = false;
  };
  options.enableThing = lib.mkEnableOption "the thing";
}
