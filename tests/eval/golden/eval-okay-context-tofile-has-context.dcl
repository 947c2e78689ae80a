with builtins; hasContext (toFile "ctx.txt" "c")
