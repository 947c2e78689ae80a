with builtins; [ (readFile ./data/nonl.txt) (readFile ./data/empty.txt) (readFile ./data/dir/link) ]
