# expected per Nix manual; 2.8 differs: builtins.warn is missing in 2.8
(builtins.tryEval (builtins.warn "msg" (throw "inner"))).success
