{ lib, ... }: lib.mkMerge [ { a = 1; } (lib.mkIf false { b = 2; }) (lib.mkIf true { c = 3; }) ]
