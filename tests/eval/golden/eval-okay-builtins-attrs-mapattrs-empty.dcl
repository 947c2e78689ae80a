with builtins; mapAttrs (n: v: v * 10) { }
