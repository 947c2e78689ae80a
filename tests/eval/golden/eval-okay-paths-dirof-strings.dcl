with builtins; [ (dirOf "/a/b/c") (dirOf "/a/b/c/") (dirOf "c") (dirOf "/") (dirOf "/a") (dirOf "a/b") ]
