[ ./lib ./data/dir/sub ./. ]
