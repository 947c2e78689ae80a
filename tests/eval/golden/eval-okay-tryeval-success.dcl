builtins.tryEval 1
