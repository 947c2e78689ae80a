{ types.attrsOfInt = { a = 1; bad = throw "forced"; }; }
