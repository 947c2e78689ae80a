{ services.web = "string"; }
