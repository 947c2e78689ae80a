builtins.unsafeGetAttrPos "missing" { a = 1; }
