with builtins; replaceStrings [ "o" ] [ "oo" ] "foo"
