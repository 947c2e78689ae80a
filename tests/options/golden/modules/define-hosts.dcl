{ hosts.www = { }; domain = "declos.test"; }
