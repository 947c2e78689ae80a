{ lib, ... }: { list = lib.mkBefore [ "b" ]; }
