{ types.lazyAttrsOfInt = { a = 1; bad = throw "never forced"; }; }
