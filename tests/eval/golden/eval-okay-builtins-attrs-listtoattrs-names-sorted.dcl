builtins.attrNames (builtins.listToAttrs (map (n: { name = n; value = null; }) [ "z" "y" "x" ]))
