let
  cfg = { port = "80"; };
in
  if builtins.isInt cfg.port then cfg.port else throw "port must be an int, got ${builtins.typeOf cfg.port}"
