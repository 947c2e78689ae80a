{ value = "1000"; }
