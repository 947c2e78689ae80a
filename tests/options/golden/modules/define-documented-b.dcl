{ lib, ... }: { documented = lib.mkBefore [ 5 ]; }
