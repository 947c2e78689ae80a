{ lazy.ok = 1; lazy.bad = throw "not forced"; }
