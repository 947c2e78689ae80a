builtins.typeOf (true || throw "x" == throw "y")
