builtins.scopedImport { } ./lib/uses-free.dcl
