{ first = "1"; }
