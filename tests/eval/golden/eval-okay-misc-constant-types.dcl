with builtins; [ (typeOf currentSystem) (typeOf currentTime) (typeOf nixVersion) (typeOf storeDir) (typeOf nixPath) (typeOf langVersion) ]
