''
  ${"  interp"} keeps spaces
''
