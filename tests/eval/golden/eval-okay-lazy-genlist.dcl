builtins.length (builtins.genList (i: throw "elem") 5)
