{ lib, ... }:
{
  imports = [
    (lib.mkMergedOptionModule [ [ "first" ] [ "second" ] ] [ "combined" ] (config:
      let
        first = lib.attrByPath [ "first" ] "" config;
        second = lib.attrByPath [ "second" ] "" config;
      in
      "${first}+${second}"))
  ];
  options.combined = lib.mkOption { type = lib.types.str; default = "unset"; };
}
