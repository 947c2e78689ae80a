{ defaults.shared = 1; }
