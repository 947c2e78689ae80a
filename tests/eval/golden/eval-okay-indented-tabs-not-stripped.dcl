''
	tabs are not stripped
  x
''
