with builtins; foldl' (acc: x: acc // { ${x} = true; }) { } [ "a" "b" ]
