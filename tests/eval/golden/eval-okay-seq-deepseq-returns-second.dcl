let x = { a = 1; }; in builtins.deepSeq x x
