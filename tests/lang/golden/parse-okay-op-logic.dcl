a && b || !c && d
