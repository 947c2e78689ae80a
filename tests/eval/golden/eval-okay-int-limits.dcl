let big = 9223372036854775807; in [ big (big - 1) (-big - 1) ]
