let p = builtins.unsafeGetAttrPos "a" { x = 1;
  a = 2; }; in [ p.line p.column ]
