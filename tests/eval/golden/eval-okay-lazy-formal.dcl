let f = { a, b }: a; in f { a = 2; b = abort "lazy"; }
