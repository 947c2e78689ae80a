{ lib, ... }: { value = lib.mkMerge [ (lib.mkMerge [ (lib.mkIf false 1) ]) (lib.mkMerge [ (lib.mkMerge [ (lib.mkDefault 5) ]) ]) ]; }
