{ lib, ... }:
{
  config.named.fn = { name, ... }: { myName = "fn-${name}"; };
  config.named.mixed = lib.mkMerge [ { } (lib.mkIf true { myName = "merged"; }) ];
}
