{ csv = "a"; }
