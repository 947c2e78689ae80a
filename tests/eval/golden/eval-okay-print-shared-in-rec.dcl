rec { a = { b = 1; }; c = a; }
