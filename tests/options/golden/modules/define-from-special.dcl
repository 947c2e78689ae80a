{ special, ... }: { enable = special == "on"; }
