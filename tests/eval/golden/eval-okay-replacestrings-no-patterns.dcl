with builtins; replaceStrings [ ] [ ] "unchanged"
