builtins.import ./lib/does-not-exist.dcl
