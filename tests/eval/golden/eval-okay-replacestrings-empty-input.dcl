with builtins; replaceStrings [ "x" ] [ "y" ] ""
