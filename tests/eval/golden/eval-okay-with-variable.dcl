let s = { x = 5; }; in with s; x * x
