let a = { outPath = "/x"; type = "derivation"; }; b = { outPath = "/y"; type = "derivation"; }; in a == b
