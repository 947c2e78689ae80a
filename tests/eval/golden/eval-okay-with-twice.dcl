let attrs = { a = 1; }; in (with attrs; a) + (with attrs; a)
