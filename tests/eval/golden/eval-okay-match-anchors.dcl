with builtins; match "^abc$" "abc"
