with builtins; toString { outPath = "/some/path"; }
