let k = "dyn"; in { ${k}.inner = 1; ${k + "2"}.inner = 2; }
