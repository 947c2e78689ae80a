builtins.typeOf (builtins.toFile "golden.txt" "x")
