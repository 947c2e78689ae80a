{ lib, config, options, ... }:
{
  options.source = lib.mkOption { type = lib.types.str; default = "src"; };
  options.derivedText = lib.mkOption { type = lib.types.str; };
  config.derivedText = lib.mkDerivedConfig options.source (s: "derived from ${s}");
}
