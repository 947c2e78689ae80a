builtins.fromTOML ''
  arr = [ 1, 2, 3 ]
  nested = [ [ "a" ], [ "b", "c" ] ]
  inline = { x = 1, y = { z = "deep" } }
''
