builtins.deepSeq [ 1 [ 2 { a = 3; } ] ] "deep ok"
