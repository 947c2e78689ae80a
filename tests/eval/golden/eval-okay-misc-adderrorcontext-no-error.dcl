builtins.addErrorContext "context only matters on error" 7
