with builtins; parseDrvName "python3.11-requests-2.31.0"
