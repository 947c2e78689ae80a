let a = { b = "c"; }; in "${a.b}"
