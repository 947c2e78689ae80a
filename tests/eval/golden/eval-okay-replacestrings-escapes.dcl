with builtins; replaceStrings [ "\n" "\t" ] [ "\\n" "\\t" ] "a\nb\tc"
