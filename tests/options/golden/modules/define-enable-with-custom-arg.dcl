{ custom, ... }: { enable = custom; }
