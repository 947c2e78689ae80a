{ lib, options, ... }:
{
  config = lib.mkMerge [
    (lib.optionalAttrs (options ? enable) { enable = true; })
    (lib.optionalAttrs (options ? enable) { value = 360; })
  ];
}
