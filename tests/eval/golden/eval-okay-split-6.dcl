with builtins; split "," ""
