{ a = throw "not forced"; b = 2; }
