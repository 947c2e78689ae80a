builtins.tryEval (builtins.tryEval (abort "nested"))
