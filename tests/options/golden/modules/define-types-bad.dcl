{ lib, ... }:
{
  types = {
    bool = "true";
    int = 1.5;
    float = 1;
    number = "1";
    str = 1;
    nonEmptyStr = " \t";
    singleLineStr = "two\nlines";
    lines = 1;
    path = "relative/path";
    pathInStore = "/foo/bar";
    package = "not a package";
    port = -1;
    between = 44;
    unsigned = -1;
    positive = 0;
    u8 = 256;
    u16 = 65536;
    u32 = -1;
    s8 = 128;
    s16 = -32769;
    s32 = 2147483648;
    enum = "c";
    enumSingle = "other";
    enumEmpty = "anything";
    nullOrInt = "x";
    listOfStr = [ "ok" 2 ];
    listOfList = [ 1 ];
    nonEmptyList = [ ];
    attrsOfInt = { a = "x"; };
    attrsOfNullOr = [ ];
    submodule = 1;
    either = [ ];
    oneOf = true;
    strMatching = "ABC";
    attrs = [ ];
    functionTo = 1;
    coercedTo = [ ];
    addCheck = 5;
    passwdEntry = "a:b";
    numbersBetween = 2;
  };
}
