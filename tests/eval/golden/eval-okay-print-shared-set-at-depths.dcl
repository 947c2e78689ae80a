let s = { v = 1; }; in { x = s; y = { z = s; }; }
