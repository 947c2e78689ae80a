{ lib, ... }:
{
  _file = "virtual-file.dcl";
  options.fileValue = lib.mkOption { type = lib.types.int; };
  config.fileValue = "not an int";
}
