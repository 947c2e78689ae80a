{ services.web.port = 443; }
