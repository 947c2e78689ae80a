{ lib, ... }:
let
  t = lib.types;
  opt = type: lib.mkOption { inherit type; };
in
{
  options.types = {
    bool = opt t.bool;
    boolByOr = opt t.boolByOr;
    int = opt t.int;
    float = opt t.float;
    number = opt t.number;
    str = opt t.str;
    nonEmptyStr = opt t.nonEmptyStr;
    singleLineStr = opt t.singleLineStr;
    lines = opt t.lines;
    commas = opt t.commas;
    envVar = opt t.envVar;
    spaces = opt (t.separatedString " ");
    path = opt t.path;
    pathInStore = opt t.pathInStore;
    package = opt t.package;
    port = opt t.port;
    between = opt (t.ints.between (-21) 43);
    unsigned = opt t.ints.unsigned;
    positive = opt t.ints.positive;
    u8 = opt t.ints.u8;
    u16 = opt t.ints.u16;
    u32 = opt t.ints.u32;
    s8 = opt t.ints.s8;
    s16 = opt t.ints.s16;
    s32 = opt t.ints.s32;
    enum = opt (t.enum [ "a" "b" 3 ]);
    enumSingle = opt (t.enum [ "only" ]);
    enumEmpty = opt (t.enum [ ]);
    nullOrInt = opt (t.nullOr t.int);
    nullOrEither = opt (t.nullOr (t.either t.int t.str));
    listOfStr = opt (t.listOf t.str);
    listOfList = opt (t.listOf (t.listOf t.int));
    listOfEither = opt (t.listOf (t.either t.int t.str));
    nonEmptyList = opt (t.nonEmptyListOf t.int);
    attrsOfInt = opt (t.attrsOf t.int);
    attrsOfNullOr = opt (t.attrsOf (t.nullOr t.int));
    attrsOfList = opt (t.attrsOf (t.listOf t.str));
    lazyAttrsOfInt = opt (t.lazyAttrsOf t.int);
    submodule = opt (t.submodule { options.x = lib.mkOption { type = t.int; default = 1; }; });
    deferred = opt t.deferredModule;
    either = opt (t.either t.int t.str);
    oneOf = opt (t.oneOf [ t.int t.str (t.listOf t.int) ]);
    strMatching = opt (t.strMatching "[a-z]+");
    anything = opt t.anything;
    raw = opt t.raw;
    attrs = opt t.attrs;
    unspecified = opt t.unspecified;
    functionTo = opt (t.functionTo t.int);
    uniq = opt (t.uniq t.int);
    unique = opt (t.unique { message = "Only one module may set this."; } t.int);
    coercedTo = opt (t.coercedTo t.int toString t.str);
    addCheck = opt (t.addCheck t.int (x: x > 5));
    shellPackage = opt t.shellPackage;
    passwdEntry = opt (t.passwdEntry t.str);
    numbersBetween = opt (t.numbers.between 0 1);
  };
}
