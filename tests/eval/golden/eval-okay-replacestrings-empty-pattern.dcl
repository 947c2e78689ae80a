with builtins; replaceStrings [ "" ] [ "-" ] "abc"
