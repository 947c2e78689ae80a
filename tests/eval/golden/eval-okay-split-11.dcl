with builtins; split "," ",,"
