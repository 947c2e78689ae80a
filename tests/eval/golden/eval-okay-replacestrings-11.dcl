with builtins; replaceStrings [ "" ] [ "-" ] ""
