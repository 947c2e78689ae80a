builtins.fromJSON ''{"$x": "${"interp"}"}''
