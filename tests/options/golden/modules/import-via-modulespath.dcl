{ modulesPath, ... }: { imports = [ (modulesPath + "/declare-enable.dcl") ]; }
