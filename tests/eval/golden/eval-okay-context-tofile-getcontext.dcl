with builtins; getContext (toFile "ctx.txt" "c")
