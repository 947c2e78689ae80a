{ "if" = 1; or = 2; "let"."in" = 3; }
