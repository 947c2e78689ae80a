# lib.gvariant: GVariant values (GSettings/dconf) and their text format
# (nixpkgs lib.gvariant semantics).
#
# A value is `{ _type = "gvariant"; type = "<type string>"; value; }` whose
# `toString` is GVariant text:
#   toString (mkValue [ "a" "b" ])          == "@as ['a','b']"
#   toString (mkTuple [ true (mkUint32 3) ]) == "@(bu) (true,@u 3)"
# Integers have no single GVariant type, so they must be wrapped (mkInt32,
# mkUint32, …); mkValue says which constructors fit a bare number.
{ lib }:
let
  inherit (builtins)
    all
    concatStringsSep
    filter
    head
    isAttrs
    isBool
    isFloat
    isInt
    isList
    isString
    map
    typeOf
    ;

  type = {
    arrayOf = t: "a${t}";
    maybeOf = t: "m${t}";
    tupleOf = ts: "(${concatStringsSep "" ts})";
    dictionaryEntryOf = nameType: valueType: "{${nameType}${valueType}}";
    string = "s";
    boolean = "b";
    uchar = "y";
    int16 = "n";
    uint16 = "q";
    int32 = "i";
    uint32 = "u";
    int64 = "x";
    uint64 = "t";
    double = "d";
    variant = "v";
  };

  isGVariant = v: isAttrs v && (v._type or null) == "gvariant";

  # A value of type `t` printed as `@t value`, unless `show` says otherwise.
  mkPrimitive = t: v: {
    _type = "gvariant";
    type = t;
    value = v;
    __toString = self: "@${self.type} ${toString self.value}";
  };

  intConstructors = [
    {
      name = "mkInt32";
      type = "int32";
      min = -2147483648;
      max = 2147483647;
    }
    {
      name = "mkUint32";
      type = "uint32";
      min = 0;
      max = 4294967295;
    }
    {
      name = "mkInt64";
      type = "int64";
      min = null;
      max = null;
    }
    {
      name = "mkUint64";
      type = "uint64";
      min = 0;
      max = null;
    }
    {
      name = "mkInt16";
      type = "int16";
      min = -32768;
      max = 32767;
    }
    {
      name = "mkUint16";
      type = "uint16";
      min = 0;
      max = 65535;
    }
    {
      name = "mkUchar";
      type = "uchar";
      min = 0;
      max = 255;
    }
  ];

  mkValue =
    v:
    if isBool v then
      mkBoolean v
    else if isFloat v then
      mkDouble v
    else if isString v then
      mkString v
    else if isList v then
      mkArray v
    else if isGVariant v then
      v
    else if isInt v then
      let
        fitting = filter (c: (c.min == null || c.min <= v) && (c.max == null || v <= c.max)) intConstructors;
      in
      throw "The GVariant type for number “${toString v}” is unclear. Please wrap the value with one of the following, depending on the value type in GSettings schema:\n\n${
        lib.strings.concatMapStringsSep "\n" (c: "- `lib.gvariant.${c.name}` for `${c.type}`") fitting
      }"
    else if isAttrs v then
      throw "Cannot construct GVariant value from an attribute set. If you want to construct a dictionary, you will need to create an array containing items constructed with `lib.gvariant.mkDictionaryEntry`."
    else
      throw "The GVariant type of “${typeOf v}” can't be inferred.";

  mkArray =
    elems:
    let
      vs = map mkValue elems;
      elemType = (head vs).type;
    in
    if elems == [ ] then
      throw "Please create empty array with mkEmptyArray."
    else if !all (v: v.type == elemType) vs then
      throw "Elements in a list should have same type."
    else
      mkPrimitive (type.arrayOf elemType) vs
      // {
        __toString = self: "@${self.type} [${concatStringsSep "," (map toString self.value)}]";
      };

  mkEmptyArray =
    elemType:
    mkPrimitive (type.arrayOf elemType) [ ] // { __toString = self: "@${self.type} []"; };

  mkVariant =
    elem:
    mkPrimitive type.variant (mkValue elem) // { __toString = self: "<${toString self.value}>"; };

  mkDictionaryEntry =
    name: value:
    let
      name' = mkValue name;
      value' = mkValue value;
    in
    mkPrimitive (type.dictionaryEntryOf name'.type value'.type) {
      inherit name value;
    }
    // {
      __toString = self: "@${self.type} {${toString name'},${toString value'}}";
    };

  mkMaybe =
    elemType: elem:
    mkPrimitive (type.maybeOf elemType) elem
    // {
      __toString =
        self: if self.value == null then "@${self.type} nothing" else "just ${toString self.value}";
    };

  mkNothing = elemType: mkMaybe elemType null;

  mkJust =
    elem:
    let
      v = mkValue elem;
    in
    mkMaybe v.type v;

  mkTuple =
    elems:
    let
      vs = map mkValue elems;
    in
    mkPrimitive (type.tupleOf (map (v: v.type) vs)) vs
    // {
      __toString = self: "@${self.type} (${concatStringsSep "," (map toString self.value)})";
    };

  mkBoolean =
    v: mkPrimitive type.boolean v // { __toString = self: if self.value then "true" else "false"; };

  # Single quotes and backslashes escaped, newlines as \n.
  quote = s: builtins.replaceStrings [ "\n" ] [ "\\n" ] (lib.strings.escape [ "'" "\\" ] s);

  mkString = v: mkPrimitive type.string v // { __toString = self: "'${quote self.value}'"; };

  mkObjectpath =
    v: mkPrimitive type.string v // { __toString = self: "objectpath '${lib.strings.escape [ "'" ] self.value}'"; };

  mkInt32 = v: mkPrimitive type.int32 v // { __toString = self: toString self.value; };

  mkDouble = v: mkPrimitive type.double v // { __toString = self: toString self.value; };
in
{
  inherit
    type
    isGVariant
    mkValue
    mkArray
    mkEmptyArray
    mkVariant
    mkDictionaryEntry
    mkMaybe
    mkNothing
    mkJust
    mkTuple
    mkBoolean
    mkString
    mkObjectpath
    mkInt32
    mkDouble
    ;
  mkUchar = mkPrimitive type.uchar;
  mkInt16 = mkPrimitive type.int16;
  mkUint16 = mkPrimitive type.uint16;
  mkUint32 = mkPrimitive type.uint32;
  mkInt64 = mkPrimitive type.int64;
  mkUint64 = mkPrimitive type.uint64;
}
