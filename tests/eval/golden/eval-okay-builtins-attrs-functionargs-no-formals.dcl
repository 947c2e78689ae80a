with builtins; [ (functionArgs (x: x)) (functionArgs ({ }: 1)) (functionArgs map) ]
