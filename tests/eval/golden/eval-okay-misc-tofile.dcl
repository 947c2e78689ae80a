builtins.toFile "golden.txt" "file contents\n"
