{ any = { b = 2; nested.y = "y"; }; }
