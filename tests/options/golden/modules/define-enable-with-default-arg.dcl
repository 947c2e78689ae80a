{ custom ? false, ... }: { enable = custom; }
