builtins.deepSeq (x: throw "function body not forced") 1
