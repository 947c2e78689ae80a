(scopedImport { freeVar = 1; } ./lib/uses-free.dcl).result + (scopedImport { freeVar = 2; } ./lib/uses-free.dcl).result
