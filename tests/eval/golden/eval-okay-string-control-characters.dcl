"control: \x01" + builtins.fromJSON ''"\u0001\u001f\u007f"''
