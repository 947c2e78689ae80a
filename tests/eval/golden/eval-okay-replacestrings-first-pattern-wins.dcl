with builtins; replaceStrings [ "ab" "a" ] [ "X" "Y" ] "abacab"
