# expected per Nix manual; 2.8 differs: builtins.warn is missing in 2.8
let f = x: builtins.warn "f called" (x + 1); in [ (f 1) (f 2) ]
