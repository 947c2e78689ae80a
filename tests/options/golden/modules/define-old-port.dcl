{ oldPort = 8080; }
