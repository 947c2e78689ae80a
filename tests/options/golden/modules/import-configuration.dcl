{ lib, ... }:
{ imports = [ (lib.evalModules { modules = [ ]; }) ]; }
