let s = "x"; in { "a.b" = 1; a = { ${s} = 2; }; }
