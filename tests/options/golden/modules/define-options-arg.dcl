{ options, ... }: { enable = options ? enable; }
