{ any = { a = 1; nested.x = "x"; }; }
