with builtins; functionArgs (args@{ x, y ? 2 }: x)
