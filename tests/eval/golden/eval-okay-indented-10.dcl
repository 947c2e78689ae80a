''

  leading empty line

''
