{ undeclared.deep = 1; }
