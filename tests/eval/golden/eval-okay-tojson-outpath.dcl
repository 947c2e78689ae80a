with builtins; toJSON { outPath = "/out"; other = 1; }
