with { a = 1; }; zzz
