with builtins; match "(.*?)" "abc"
