(builtins.tryEval [ (throw "not forced by tryEval") ]).success
