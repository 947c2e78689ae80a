with builtins; [ (toString ./data/hello.txt == "$GOLDEN/data/hello.txt") (baseNameOf (toString ./data/hello.txt)) ]
