{ lib, ... }: { imports = lib.optional true ./declare-enable.dcl ++ lib.optional false ./does-not-exist.dcl; }
