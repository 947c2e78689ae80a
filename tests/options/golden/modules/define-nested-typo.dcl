{ services.web.prot = 1; }
