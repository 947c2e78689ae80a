builtins.import ./lib/counter.dcl
