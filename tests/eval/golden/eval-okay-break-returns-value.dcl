# expected per Nix manual; 2.8 differs: builtins.break is missing in 2.8 (without --debugger it returns its argument)
builtins.break 5
