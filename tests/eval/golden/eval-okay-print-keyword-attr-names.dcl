{ or = 1; "if" = 2; a.or = 4; true = 5; }
