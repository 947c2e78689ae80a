with builtins; [ (intersectAttrs { } { a = 1; }) (intersectAttrs { a = null; } { a = 5; }) ]
