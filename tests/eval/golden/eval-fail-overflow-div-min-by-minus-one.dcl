# expected per Nix manual; 2.8 differs: 2.8 says 'overflow in integer division' at the start of the expression; current Nix points at the operator
(-9223372036854775807 - 1) / (-1)
