builtins.map builtins.typeOf [ (builtins.ceil 1.5) (builtins.floor 1.5) ]
