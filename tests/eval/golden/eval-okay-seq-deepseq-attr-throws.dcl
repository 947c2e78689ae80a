(builtins.tryEval (builtins.deepSeq { a.b.c = throw "deep attr"; } 0)).success
