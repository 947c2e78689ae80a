{ value = "42"; }
