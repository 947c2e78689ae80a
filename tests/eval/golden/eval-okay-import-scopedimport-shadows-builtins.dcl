scopedImport { builtins = { length = x: 99; }; } ./lib/counter.dcl
