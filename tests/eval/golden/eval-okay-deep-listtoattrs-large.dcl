let s = builtins.listToAttrs (builtins.genList (i: { name = "k${toString i}"; value = i; }) 10000); in s.k9999
