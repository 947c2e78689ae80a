rec { a = b + 1; b = a; }.a
