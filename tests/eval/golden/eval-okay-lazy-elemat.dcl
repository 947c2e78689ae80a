builtins.elemAt [ (throw "0") (throw "1") 42 ] 2
