# expected per Nix manual; 2.8 differs: 2.8 says 'anonymous function at FILE called without ...'; current Nix points at the lambda
({ a, b, c }: a) { a = 1; c = 3; }
