# expected per Nix manual; 2.8 differs: 2.8 says "'f' at FILE called without ..." at the call site; current Nix points at the lambda
let
  f = { x, y }: x;
in
  f { x = 1; zzz = 2; }
