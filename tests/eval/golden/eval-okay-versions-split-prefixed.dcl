with builtins; splitVersion "v1.0.0-rc2"
