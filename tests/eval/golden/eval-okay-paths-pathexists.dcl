with builtins; [ (pathExists ./data/hello.txt) (pathExists ./data/missing) (pathExists ./data/dir) (pathExists ./data/dir/link) ]
