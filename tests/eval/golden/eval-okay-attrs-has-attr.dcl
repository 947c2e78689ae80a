let a = { x = 1; }; in [ (a ? x) (a ? y) ({ a.b = 1; } ? a.b) ({ a.b = 1; } ? a.c) ({ a = 1; } ? a.b) ]
