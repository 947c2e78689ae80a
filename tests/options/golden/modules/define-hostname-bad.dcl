{ hostname = "Web_1"; }
