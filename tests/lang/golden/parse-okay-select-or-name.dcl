[ a.or (a.or) ]
