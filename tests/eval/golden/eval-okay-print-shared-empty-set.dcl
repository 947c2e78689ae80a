let a = { }; in [ a a ]
