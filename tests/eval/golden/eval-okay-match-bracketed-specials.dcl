with builtins; match "[$][{]([a-z]+)[}]" "\${var}"
