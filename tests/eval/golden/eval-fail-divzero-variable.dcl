# expected per Nix manual; 2.8 differs: 2.8 points at the start of the expression; current Nix points at the operator
let
  d = 0;
in
  10 / d
