[ ./a/${b}/c ./${x} ~/${y}.conf a/${x}${y}z ]
