{ bare.nested = 2; }
