builtins.trace "to stderr" 42
