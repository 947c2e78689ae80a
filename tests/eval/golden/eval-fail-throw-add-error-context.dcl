builtins.addErrorContext "extra context" (throw "with context")
