{ lib, ... }:
{
  options.fnAttrs = lib.mkOption { type = lib.types.functionTo (lib.types.attrsOf lib.types.str); };
  options.fnLines = lib.mkOption { type = lib.types.functionTo lib.types.lines; };
  options.fnSub = lib.mkOption {
    type = lib.types.functionTo (lib.types.submodule { options.a = lib.mkOption { type = lib.types.str; default = "A"; }; options.b = lib.mkOption { type = lib.types.str; default = "B"; }; });
  };
  imports = [ { fnAttrs = x: { a = x; }; fnLines = x: lib.mkAfter "after ${x}"; fnSub = x: { a = x; }; } ];
  config.fnAttrs = x: { c = x; };
  config.fnLines = x: "plain ${x}";
  config.fnSub = x: { b = "bee"; };
}
