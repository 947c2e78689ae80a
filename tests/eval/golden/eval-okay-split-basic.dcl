with builtins; split "," "a,b,c"
