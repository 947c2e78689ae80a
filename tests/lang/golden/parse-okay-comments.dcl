# leading
/* block
   comment */ 1 /* inner */ + # trailing
  2
