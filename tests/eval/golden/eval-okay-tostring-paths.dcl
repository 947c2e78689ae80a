with builtins; [ (baseNameOf (toString ./data/hello.txt)) (typeOf (toString ./.)) (typeOf "${toString ./.}") ]
