let s = { }; k = "x"; in s.${k} or "fallback"
