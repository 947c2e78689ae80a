{ lib, ... }:
{
  imports = [
    {
      types = {
        bool = true; int = 1; str = "a"; float = 1.0; path = "/a"; package = { type = "derivation"; name = "a"; outPath = "/a"; };
        enum = "a"; either = 1; uniq = 1; unique = 1; raw = 1; anything = [ 1 ]; unspecified = 1; nullOrInt = 1;
        coercedTo = "x"; addCheck = 6; functionTo = x: 1;
      };
    }
  ];
  types = {
    bool = false; int = 2; str = "b"; float = 2.0; path = "/b"; package = { type = "derivation"; name = "b"; outPath = "/b"; };
    enum = "b"; either = "s"; uniq = 1; unique = 1; raw = 2; anything = [ 2 ]; unspecified = 2; nullOrInt = 2;
    coercedTo = 3; addCheck = 7; functionTo = x: 2;
  };
}
