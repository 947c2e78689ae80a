{ x.y.z = 1; }.x.y
