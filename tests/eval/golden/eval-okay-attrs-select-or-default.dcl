let a = { x.y = 1; }; in [ (a.x.y or 0) (a.x.z or 0) (a.q.r or "d") ((1).x or "not a set") ]
