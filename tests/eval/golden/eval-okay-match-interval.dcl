with builtins; match "a{2,3}" "aaa"
