with builtins; replaceStrings [ "a" "ab" ] [ "X" "Y" ] "abacab"
