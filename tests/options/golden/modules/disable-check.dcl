{ _module.check = false; }
