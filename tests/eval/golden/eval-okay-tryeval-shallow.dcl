with builtins; map (x: (tryEval x).success) [ 1 (throw "a") (assert false; 2) { a = throw "lazy"; } [ (throw "lazy") ] ]
