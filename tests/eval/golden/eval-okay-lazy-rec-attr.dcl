rec { a = b; b = 1; c = throw "unused"; }.a
