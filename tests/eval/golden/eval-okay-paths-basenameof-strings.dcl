with builtins; [ (baseNameOf "/a/b/c") (baseNameOf "/a/b/c/") (baseNameOf "c") (baseNameOf "/") (baseNameOf "") ]
