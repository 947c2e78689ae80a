f x
  y z ]
