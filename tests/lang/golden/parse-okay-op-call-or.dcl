[ (a.b or c d) (f or) (g f or) ((a.b) or) ]
