builtins.fromJSON ''"\u00e9\n\t\"\\\/\u03bb"''
