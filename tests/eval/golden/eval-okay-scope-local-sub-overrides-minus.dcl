let __sub = a: b: 42; in 5 - 3
