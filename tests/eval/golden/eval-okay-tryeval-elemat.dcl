builtins.tryEval (builtins.elemAt [ (throw "idx") ] 0)
