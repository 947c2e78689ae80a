with builtins; match "(.*)/(.*)" "a/b/c"
