with builtins; replaceStrings [ "" "x" ] [ "_" "y" ] "x"
