{ lib, ... }:
{
  options.empty = {
    list = lib.mkOption { type = lib.types.lazyAttrsOf (lib.types.listOf lib.types.int); };
    attrs = lib.mkOption { type = lib.types.lazyAttrsOf (lib.types.attrsOf lib.types.int); };
    null = lib.mkOption { type = lib.types.lazyAttrsOf (lib.types.nullOr lib.types.int); };
    submodule = lib.mkOption { type = lib.types.lazyAttrsOf (lib.types.submodule { }); };
    int = lib.mkOption { type = lib.types.lazyAttrsOf lib.types.int; };
    nonEmptyList = lib.mkOption { type = lib.types.lazyAttrsOf (lib.types.nonEmptyListOf lib.types.int); };
    str = lib.mkOption { type = lib.types.lazyAttrsOf lib.types.str; };
    lines = lib.mkOption { type = lib.types.lazyAttrsOf lib.types.lines; };
  };
  config.empty = {
    list.a = lib.mkIf false [ 1 ];
    attrs.a = lib.mkIf false { };
    null.a = lib.mkIf false 1;
    submodule.a = lib.mkIf false { };
    int.a = lib.mkIf false 1;
    nonEmptyList.a = lib.mkIf false [ 1 ];
    str.a = lib.mkIf false "s";
    lines.a = lib.mkIf false "s";
  };
}
