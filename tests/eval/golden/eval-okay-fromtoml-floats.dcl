builtins.fromTOML ''
  f1 = 3.14
  f2 = -0.01
  f3 = 5e+22
  f4 = 6.626e-34
''
