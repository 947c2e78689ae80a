builtins.seq [ (throw "shallow list") ] "ok"
