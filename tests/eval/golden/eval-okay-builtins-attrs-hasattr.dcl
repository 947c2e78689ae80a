with builtins; [ (hasAttr "a" { a = 1; }) (hasAttr "b" { a = 1; }) ]
