with builtins; [ (hashFile "md5" ./data/empty.txt) (hashFile "sha1" ./data/nonl.txt) ]
