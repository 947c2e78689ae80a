builtins.tryEval (builtins.seq (throw "s") 1)
