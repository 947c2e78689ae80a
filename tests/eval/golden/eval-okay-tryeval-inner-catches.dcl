builtins.tryEval (let f = { x }: x; in builtins.tryEval (throw "t"))
