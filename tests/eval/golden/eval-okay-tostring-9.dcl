"${./lib}x" == toString ./lib + "x"
