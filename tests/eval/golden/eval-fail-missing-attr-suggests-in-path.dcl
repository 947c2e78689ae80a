{ a = { b = 1; }; }.a.bb.c
