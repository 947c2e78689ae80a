with builtins; match "[a-c-]+" "a-b-c"
