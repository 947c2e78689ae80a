{ lib, ... }: lib.mkIf true { enable = true; }
