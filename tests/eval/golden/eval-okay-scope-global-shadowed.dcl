let map = 3; in map
