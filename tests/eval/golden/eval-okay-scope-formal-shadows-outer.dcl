let f = a: { a ? 5 }: a; in f 1 { }
