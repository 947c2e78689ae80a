# `1e3` is not a float in Nix: it is 1 applied to the variable e3.
1e3
