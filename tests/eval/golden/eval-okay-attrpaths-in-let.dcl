let x = { a.b = 1; }; in x.a
