let s = { "a b" = 1; }; in s."a b" + s.${"a b"}
