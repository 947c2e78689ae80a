builtins.attrNames { zz = 1; a = 2; B = 3; _c = 4; "1" = 5; aa = 6; }
