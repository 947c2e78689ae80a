# expected per Nix manual; 2.8 differs: 2.8 says "'f' at FILE called without ..." at the call site; current Nix names the function and points at the lambda
let
  f = { x }: x;
in
  f { }
