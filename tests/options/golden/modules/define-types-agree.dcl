{ lib, ... }:
{
  imports = [ { types = { bool = true; int = 1; str = "a"; float = 1.0; path = "/a"; enum = "a"; unspecified = true; boolByOr = false; anything = 1; } ; } ];
  types = { bool = true; int = 1; str = "a"; float = 1.0; path = "/a"; enum = "a"; unspecified = false; boolByOr = false; anything = 1; };
}
