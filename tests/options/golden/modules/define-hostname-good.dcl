{ hostname = "web-1"; }
