{ lib, ... }: { list = lib.mkAfter [ "c" ]; }
