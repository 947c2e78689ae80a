# expected per Nix manual; 2.8 differs: 2.8 says 'anonymous function at FILE called with ...'; current Nix points at the lambda
({ a, b }: a) { a = 1; b = 2; c = 3; }
