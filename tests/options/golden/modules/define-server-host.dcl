{ server.host = "example.org"; }
