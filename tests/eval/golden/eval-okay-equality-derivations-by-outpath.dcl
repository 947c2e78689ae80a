let a = { outPath = "/x"; type = "derivation"; foo = 1; }; b = { outPath = "/x"; type = "derivation"; foo = 2; }; in a == b
