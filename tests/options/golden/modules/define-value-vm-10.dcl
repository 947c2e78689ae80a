{ lib, ... }: { value = lib.mkVMOverride 10; }
