{ lib, ... }: { list = lib.mkMerge [ [ "d1" ] (lib.mkIf false [ "never" ]) [ "d2" ] ]; }
