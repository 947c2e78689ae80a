with builtins; [ (match "abc" "abc") (match "ab" "abc") (match "a.c" "abc") (match "" "") ]
