{ lib, ... }: { csv = lib.mkAfter "z"; }
