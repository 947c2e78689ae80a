({ a, b ? throw "unused default" }: a) { a = 7; }
