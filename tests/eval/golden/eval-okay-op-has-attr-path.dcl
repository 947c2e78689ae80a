let a = { x = { y = 1; }; }; in [ (a ? x.y) (a.x ? y) (a ? x.z) ]
