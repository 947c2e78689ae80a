builtins.scopedImport { freeVar = 41; } ./lib/uses-free.dcl
