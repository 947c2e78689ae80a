''
	  tab
  	space
''
