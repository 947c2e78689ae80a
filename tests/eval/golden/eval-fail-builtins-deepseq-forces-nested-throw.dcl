builtins.deepSeq { a = [ (throw "deep inside") ]; } 1
