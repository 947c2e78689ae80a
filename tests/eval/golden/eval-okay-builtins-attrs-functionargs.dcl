with builtins; functionArgs ({ a, b ? 1, ... }: a)
