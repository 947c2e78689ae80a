with builtins; replaceStrings [ "aa" ] [ "b" ] "aaaaa"
