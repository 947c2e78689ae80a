with builtins; getContext ("prefix-" + toFile "ctx.txt" "c" + "-suffix")
