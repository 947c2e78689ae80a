with (throw "never"); 1
