{ special, ... }: { imports = [ special ]; }
