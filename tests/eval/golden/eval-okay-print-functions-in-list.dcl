[ builtins.head (builtins.map (x: x)) ({ a, b ? 1 }: a) ]
