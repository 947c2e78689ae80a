let p = builtins.unsafeGetAttrPos "beta" (import ./lib/pos.dcl); in { inherit (p) line column; file = baseNameOf p.file; }
