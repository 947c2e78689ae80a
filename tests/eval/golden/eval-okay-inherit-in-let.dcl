let s = { a = 1; }; in let inherit (s) a; in a + 1
