with builtins; split "[[:space:]]+" "  foo bar  baz "
