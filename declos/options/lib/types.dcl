# Option types (nixpkgs lib.types semantics).
#
# A type is an attrset with `_type = "option-type"`, a `check` that looks at
# the root of a value only (deep checks happen in `merge`, so laziness
# survives), a `merge loc defs`, and a `functor` used to merge two
# declarations of the same option (`typeMerge`).
{ lib }:
let
  inherit (builtins)
    all
    attrNames
    concatLists
    concatStringsSep
    elem
    filter
    foldl'
    head
    isAttrs
    isBool
    isFloat
    isFunction
    isInt
    isList
    isString
    length
    map
    mapAttrs
    match
    tail
    typeOf
    zipAttrsWith
    ;
  inherit (lib.options)
    mergeDefaultOption
    mergeEqualOption
    mergeOneOption
    mergeUniqueOption
    showFiles
    showOption
    getFiles
    getValues
    ;

  isType = type: x: (x._type or "") == type;

  setType = typeName: value: value // { _type = typeName; };

  inherit (lib.strings) isStringLike isStorePath;
  inherit (lib.attrsets) isDerivation;

  # Whether a path (or a string naming one) lies inside a store object:
  # `<storeDir>/<name>` or below it (nixpkgs' lib.path.hasStorePathPrefix).
  hasStorePathPrefix =
    x:
    let
      s = builtins.unsafeDiscardStringContext (toString x);
      dir = builtins.storeDir + "/";
      rest = builtins.substring (builtins.stringLength dir) (-1) s;
      name = head (builtins.split "/" rest);
    in
    lib.strings.hasPrefix dir s && name != "" && builtins.substring 0 1 name != ".";

  # The v2 merge protocol (nixpkgs 26.11): `merge` is a functor whose `v2
  # { loc, defs }` returns `{ headError; value; valueMeta; }`, checking and
  # merging in one pass, so that composed types can forward metadata
  # (`valueMeta`: the submodule configuration of each attribute, list
  # element, …) and `either` can ask each member whether it accepts the
  # definitions.  Such a type's `check` carries `isV2MergeCoherent`; an
  # ad-hoc `type // { check = …; }` loses it and would be silently ignored
  # by `v2`, so it is an error.
  checkDefsForError =
    check: loc: defs:
    if builtins.all (def: check def.value) defs then
      null
    else
      { message = "Definition values:${lib.options.showDefs (filter (def: !check def.value) defs)}"; };

  # What a module can be written as (deferredModule's and submodule's check).
  isModuleValue = x: isAttrs x || isFunction x || types.path.check x;

  checkV2MergeCoherence =
    loc: type: result:
    if type.check.isV2MergeCoherent or false then
      result
    else
      throw ''
        The option `${showOption loc}' has a type `${type.description}' that uses
        an ad-hoc `type // { check = ...; }' override, which is incompatible with
        the v2 merge mechanism.

        Please use `lib.types.addCheck` instead of `type // { check }' to add
        custom validation. For example:

          lib.types.addCheck baseType (value: /* your check */)

        instead of:

          baseType // { check = value: /* your check */; }'';

  v2Check = f: {
    __functor = _self: f;
    isV2MergeCoherent = true;
  };

  # `merge` of a v2 type: `v2` plus the plain `loc: defs: value` call.
  v2Merge = v2: {
    __functor = self: loc: defs: (self.v2 { inherit loc defs; }).value;
    inherit v2;
  };

  # The checked-and-merged record of any type, v2 or not.
  mergeV2 =
    loc: type: defs:
    if type.merge ? v2 then
      checkV2MergeCoherence loc type (type.merge.v2 { inherit loc defs; })
    else
      {
        value = type.merge loc defs;
        headError = checkDefsForError type.check loc defs;
        valueMeta = { };
      };

  # How a type's description is phrased inside another's.
  optionDescriptionPhrase =
    unparenthesize: t:
    if unparenthesize (t.descriptionClass or null) then t.description else "(${t.description})";

  defaultFunctor = name: {
    inherit name;
    type = types.${name} or null;
    wrapped = null;
    payload = null;
    binOp = a: b: null;
  };

  defaultTypeMerge =
    f: f':
    let
      wrapped = f.wrapped.typeMerge f'.wrapped.functor;
      payload = f.binOp f.payload f'.payload;
    in
    if f.name != f'.name then
      null
    else if f.payload == null && f'.payload == null && f.wrapped == null && f'.wrapped == null then
      f.type
    else if f.payload == null && f'.payload == null then
      (if wrapped == null then null else f.type wrapped)
    else if f.wrapped == null && f'.wrapped == null then
      (if payload == null then null else f.type payload)
    else
      null;

  mkOptionType =
    {
      name,
      description ? null,
      descriptionClass ? null,
      check ? (x: true),
      merge ? mergeDefaultOption,
      emptyValue ? { },
      getSubOptions ? prefix: { },
      getSubModules ? null,
      substSubModules ? m: null,
      typeMerge ? defaultTypeMerge functor,
      functor ? defaultFunctor name,
      deprecationMessage ? null,
      nestedTypes ? { },
    }:
    {
      _type = "option-type";
      inherit
        name
        check
        merge
        emptyValue
        getSubOptions
        getSubModules
        substSubModules
        typeMerge
        functor
        deprecationMessage
        nestedTypes
        descriptionClass
        ;
      description = if description == null then name else description;
    };

  # Merges the definitions of an element type at `loc`, as the module
  # system does for an option (priorities, mkIf, mkMerge, ordering).
  mergeDefinitions = loc: type: defs: lib.modules.mergeDefinitions loc type defs;

  intBetween =
    lo: hi: name: description:
    lib.types.addCheck types.int (x: x >= lo && x <= hi)
    // {
      inherit name;
      description = description;
    };

  types = {
    raw = mkOptionType {
      name = "raw";
      description = "raw value";
      descriptionClass = "noun";
      check = x: true;
      merge = mergeOneOption;
    };

    anything = mkOptionType {
      name = "anything";
      description = "anything";
      descriptionClass = "noun";
      check = x: true;
      merge =
        loc: defs:
        let
          kindOf = v: if isAttrs v && isStringLike v then "stringCoercibleSet" else typeOf v;
          common = foldl' (
            k: def:
            if kindOf def.value == k then
              k
            else
              throw "The option `${showOption loc}' has conflicting option types in ${showFiles (getFiles defs)}"
          ) (kindOf (head defs).value) defs;
          byKind = {
            set = (types.attrsOf types.anything).merge;
            stringCoercibleSet = mergeOneOption;
            lambda =
              loc: defs: arg:
              types.anything.merge (loc ++ [ "<function body>" ]) (
                map (def: {
                  file = def.file;
                  value = def.value arg;
                }) defs
              );
          };
        in
        (byKind.${common} or mergeEqualOption) loc defs;
    };

    unspecified = mkOptionType {
      name = "unspecified";
      description = "unspecified value";
      descriptionClass = "noun";
    };

    bool = mkOptionType {
      name = "bool";
      description = "boolean";
      descriptionClass = "noun";
      check = isBool;
      merge = mergeEqualOption;
    };

    boolByOr = mkOptionType {
      name = "boolByOr";
      description = "boolean (merged using or)";
      descriptionClass = "noun";
      check = isBool;
      merge = loc: defs: foldl' (a: def: a || def.value) false defs;
    };

    int = mkOptionType {
      name = "int";
      description = "signed integer";
      descriptionClass = "noun";
      check = isInt;
      merge = mergeEqualOption;
    };

    ints = {
      between =
        lo: hi:
        if lo > hi then
          throw "types.ints.between: lower bound must be smaller than upper bound"
        else
          intBetween lo hi "intBetween" "integer between ${toString lo} and ${toString hi} (both inclusive)";
      unsigned = lib.types.addCheck types.int (x: x >= 0) // {
        name = "unsignedInt";
        description = "unsigned integer, meaning >=0";
      };
      positive = lib.types.addCheck types.int (x: x > 0) // {
        name = "positiveInt";
        description = "positive integer, meaning >0";
      };
      u8 = intBetween 0 255 "unsignedInt8" "8 bit unsigned integer; between 0 and 255 (both inclusive)";
      u16 = intBetween 0 65535 "unsignedInt16" "16 bit unsigned integer; between 0 and 65535 (both inclusive)";
      u32 = intBetween 0 4294967295 "unsignedInt32" "32 bit unsigned integer; between 0 and 4294967295 (both inclusive)";
      s8 = intBetween (-128) 127 "signedInt8" "8 bit signed integer; between -128 and 127 (both inclusive)";
      s16 = intBetween (-32768) 32767 "signedInt16" "16 bit signed integer; between -32768 and 32767 (both inclusive)";
      s32 = intBetween (-2147483648) 2147483647 "signedInt32" "32 bit signed integer; between -2147483648 and 2147483647 (both inclusive)";
    };

    port = types.ints.u16;

    float = mkOptionType {
      name = "float";
      description = "floating point number";
      descriptionClass = "noun";
      check = isFloat;
      merge = mergeEqualOption;
    };

    number = types.either types.int types.float;

    numbers = {
      between =
        lo: hi:
        lib.types.addCheck types.number (x: x >= lo && x <= hi)
        // {
          name = "numberBetween";
          description = "integer or floating point number between ${toString lo} and ${toString hi} (both inclusive)";
        };
      nonnegative = lib.types.addCheck types.number (x: x >= 0) // {
        name = "numberNonnegative";
        description = "nonnegative integer or floating point number, meaning >=0";
      };
      positive = lib.types.addCheck types.number (x: x > 0) // {
        name = "numberPositive";
        description = "positive integer or floating point number, meaning >0";
      };
    };

    str = mkOptionType {
      name = "str";
      description = "string";
      descriptionClass = "noun";
      check = isString;
      merge = mergeEqualOption;
    };

    nonEmptyStr = mkOptionType {
      name = "nonEmptyStr";
      description = "non-empty string";
      descriptionClass = "noun";
      check = x: isString x && builtins.match "[ \t\n]*" x == null;
      merge = mergeEqualOption;
    };

    singleLineStr = mkOptionType {
      name = "singleLineStr";
      description = "(optionally newline-terminated) single-line string";
      descriptionClass = "noun";
      check = x: isString x && builtins.match "[^\n]*\n?" x != null;
      merge = loc: defs: lib.strings.removeSuffix "\n" (mergeEqualOption loc defs);
    };

    strMatching =
      pattern:
      mkOptionType {
        name = "strMatching ${lib.strings.escapeNixString pattern}";
        description = "string matching the pattern ${pattern}";
        descriptionClass = "noun";
        check = x: isString x && builtins.match pattern x != null;
        merge = mergeEqualOption;
        functor = defaultFunctor "strMatching" // {
          type = payload: types.strMatching payload.pattern;
          payload = {
            inherit pattern;
          };
          binOp = lhs: rhs: if lhs == rhs then lhs else null;
        };
      };

    separatedString =
      sep:
      mkOptionType rec {
        name = "separatedString";
        description =
          if sep == "" then
            "Concatenated string"
          else
            "strings concatenated with ${builtins.toJSON sep}";
        descriptionClass = "noun";
        check = isString;
        merge = loc: defs: concatStringsSep sep (getValues defs);
        functor = defaultFunctor name // {
          payload = {
            inherit sep;
          };
          type = payload: types.separatedString payload.sep;
          binOp = lhs: rhs: if lhs.sep == rhs.sep then { inherit (lhs) sep; } else null;
        };
      };

    lines = types.separatedString "\n";
    commas = types.separatedString ",";
    envVar = types.separatedString ":";

    string = types.separatedString "" // {
      name = "string";
      deprecationMessage = "See https://github.com/NixOS/nixpkgs/pull/66346 for better alternative types.";
    };

    passwdEntry =
      entryType:
      lib.types.addCheck entryType (str: !(lib.strings.hasInfix ":" str || lib.strings.hasInfix "\n" str))
      // {
        name = "passwdEntry ${entryType.name}";
        description = "${optionDescriptionPhrase (class: class == "noun") entryType}, not containing newlines or colons";
        descriptionClass = "nonRestrictiveClause";
      };

    attrs = mkOptionType {
      name = "attrs";
      description = "attribute set";
      check = isAttrs;
      merge = loc: foldl' (res: def: res // def.value) { };
      emptyValue = {
        value = { };
      };
    };

    package = mkOptionType {
      name = "package";
      descriptionClass = "noun";
      check = x: isDerivation x || isStorePath x;
      merge =
        loc: defs:
        let
          res = mergeOneOption loc defs;
        in
        if builtins.isPath res || (isString res && !builtins.hasContext res) then
          builtins.storePath res
        else
          res;
    };

    shellPackage = types.package // {
      name = "shellPackage";
      description = "shell package";
      check = x: isDerivation x && x ? shellPath;
    };

    path = types.pathWith { absolute = true; };
    pathInStore = types.pathWith { inStore = true; };
    # For secrets: a path a program reads at run time, never copied into
    # the store (a path value would be, so only strings are accepted).
    externalPath = types.pathWith {
      absolute = true;
      inStore = false;
    };

    pathWith =
      {
        inStore ? null,
        absolute ? null,
      }:
      if inStore == true && absolute == false then
        throw "In pathWith, inStore means the path must be absolute"
      else
        mkOptionType {
          name = "path";
          description =
            (if absolute == null then "" else if absolute then "absolute " else "relative ")
            + "path"
            + (if inStore == null then "" else if inStore then " in the Nix store" else " not in the Nix store");
          descriptionClass = "noun";
          check =
            x:
            # A path value may be copied into the store later: not "external".
            (if inStore == false then isString x else isStringLike x)
            && (inStore == null || inStore == hasStorePathPrefix x)
            && (
              absolute == null
              || absolute == ((x.type or null) == "derivation" || builtins.substring 0 1 (toString x) == "/")
            );
          merge = mergeEqualOption;
          functor = defaultFunctor "path" // {
            type = types.pathWith;
            payload = {
              inherit inStore absolute;
            };
            binOp = lhs: rhs: if lhs == rhs then lhs else null;
          };
        };

    listOf =
      elemType:
      mkOptionType rec {
        name = "listOf";
        description = "list of ${optionDescriptionPhrase (class: class == "noun" || class == "composite") elemType}";
        descriptionClass = "composite";
        check = v2Check isList;
        merge = v2Merge (
          { loc, defs }:
          let
            evals = filter (x: x.optionalValue ? value) (
              concatLists (
                lib.lists.imap1 (
                  n: def:
                  lib.lists.imap1 (
                    m: def':
                    mergeDefinitions (loc ++ [ "[definition ${toString n}-entry ${toString m}]" ]) elemType [
                      ({
                        inherit (def) file;
                        value = def';
                      } // lib.optionalAttrs (def ? line) { inherit (def) line; })
                    ]
                  ) def.value
                ) defs
              )
            );
          in
          {
            headError = checkDefsForError isList loc defs;
            value = map (x: x.optionalValue.value) evals;
            valueMeta.list = map (x: x.checkedAndMerged.valueMeta) evals;
          }
        );
        emptyValue = {
          value = [ ];
        };
        getSubOptions = prefix: elemType.getSubOptions (prefix ++ [ "*" ]);
        getSubModules = elemType.getSubModules;
        substSubModules = m: types.listOf (elemType.substSubModules m);
        functor = (defaultFunctor name) // {
          wrapped = elemType;
          type = types.listOf;
        };
        nestedTypes.elemType = elemType;
      };

    nonEmptyListOf =
      elemType:
      let
        list = lib.types.addCheck (types.listOf elemType) (l: l != [ ]);
      in
      list
      // {
        description = "non-empty ${optionDescriptionPhrase (class: class == "noun") list}";
        emptyValue = { };
        substSubModules = m: types.nonEmptyListOf (elemType.substSubModules m);
      };

    attrsOf = elemType: types.attrsWith { inherit elemType; };
    lazyAttrsOf =
      elemType:
      types.attrsWith {
        inherit elemType;
        lazy = true;
      };

    attrsWith =
      {
        elemType,
        lazy ? false,
        placeholder ? "name",
      }:
      mkOptionType {
        name = if lazy then "lazyAttrsOf" else "attrsOf";
        description =
          (if lazy then "lazy attribute set" else "attribute set")
          + " of ${optionDescriptionPhrase (class: class == "noun" || class == "composite") elemType}";
        descriptionClass = "composite";
        check = v2Check isAttrs;
        merge = v2Merge (
          { loc, defs }:
          let
            # Each name's definitions, merged as an option of elemType.
            mergedByName =
              loc: defs:
              let
                perName = zipAttrsWith (n: vs: vs) (
                  map (
                    def:
                    mapAttrs (n: v: {
                      inherit (def) file;
                      value = v;
                    } // (let p = builtins.unsafeGetAttrPos n def.value; in
                      if p != null && p.file == toString def.file then { inherit (p) line; }
                      else lib.optionalAttrs (def ? line) { inherit (def) line; })) def.value
                  ) defs
                );
              in
              mapAttrs (name: defs: mergeDefinitions (loc ++ [ name ]) elemType defs) perName;
            merged =
              if builtins ? __declosMergeByName then
                builtins.__declosMergeByName mergedByName lib.modules.mergeDefinitions elemType loc defs
              else
                mergedByName loc defs;
            # Filtering makes attrsOf strict in its values' definitions
            # (so `mkIf false` removes the name); lazyAttrsOf is not.
            evals = if lazy then merged else lib.attrsets.filterAttrs (n: v: v.optionalValue ? value) merged;
          in
          {
            headError = checkDefsForError isAttrs loc defs;
            value = mapAttrs (
              n: v:
              if lazy then
                v.optionalValue.value or elemType.emptyValue.value or v.mergedValue
              else
                v.optionalValue.value
            ) evals;
            valueMeta.attrs = mapAttrs (n: v: v.checkedAndMerged.valueMeta) evals;
          }
        );
        emptyValue = {
          value = { };
        };
        getSubOptions = prefix: elemType.getSubOptions (prefix ++ [ "<${placeholder}>" ]);
        getSubModules = elemType.getSubModules;
        substSubModules =
          m:
          types.attrsWith {
            elemType = elemType.substSubModules m;
            inherit lazy placeholder;
          };
        functor = (defaultFunctor "attrsWith") // {
          wrapped = elemType;
          payload = {
            inherit elemType lazy placeholder;
          };
          type = payload: types.attrsWith payload;
          binOp =
            lhs: rhs:
            let
              merged = lhs.elemType.typeMerge rhs.elemType.functor;
            in
            if lhs.lazy != rhs.lazy || merged == null then
              null
            else
              {
                elemType = merged;
                inherit (lhs) lazy;
                placeholder = if lhs.placeholder == rhs.placeholder then lhs.placeholder else "name";
              };
        };
        typeMerge =
          f':
          let
            f = (types.attrsWith { inherit elemType lazy placeholder; }).functor;
          in
          if f'.name != "attrsWith" then
            null
          else
            let
              payload = f.binOp f.payload f'.payload;
            in
            if payload == null then null else types.attrsWith payload;
        nestedTypes.elemType = elemType;
      };

    uniq = types.unique { message = ""; };

    unique =
      { message }:
      type:
      mkOptionType rec {
        name = "unique";
        inherit (type) description descriptionClass check;
        merge = mergeUniqueOption { inherit message; };
        emptyValue = type.emptyValue;
        getSubOptions = type.getSubOptions;
        getSubModules = type.getSubModules;
        substSubModules = m: types.unique { inherit message; } (type.substSubModules m);
        functor = (defaultFunctor name) // {
          wrapped = type;
        };
        nestedTypes.elemType = type;
      };

    nullOr =
      elemType:
      mkOptionType rec {
        name = "nullOr";
        description = "null or ${optionDescriptionPhrase (class: class == "noun" || class == "conjunction") elemType}";
        descriptionClass = "conjunction";
        check = x: x == null || elemType.check x;
        merge =
          loc: defs:
          let
            nrNulls = length (filter (def: def.value == null) defs);
          in
          if nrNulls == length defs then
            null
          else if nrNulls != 0 then
            throw "The option `${showOption loc}' is defined both null and not null, in ${showFiles (getFiles defs)}."
          else
            elemType.merge loc defs;
        emptyValue = {
          value = null;
        };
        getSubOptions = elemType.getSubOptions;
        getSubModules = elemType.getSubModules;
        substSubModules = m: types.nullOr (elemType.substSubModules m);
        functor = (defaultFunctor name) // {
          wrapped = elemType;
          type = types.nullOr;
        };
        nestedTypes.elemType = elemType;
      };

    functionTo =
      elemType:
      mkOptionType {
        name = "functionTo";
        description = "function that evaluates to a(n) ${optionDescriptionPhrase (class: class == "noun" || class == "composite") elemType}";
        descriptionClass = "composite";
        check = isFunction;
        merge =
          loc: defs: fnArgs:
          (mergeDefinitions (loc ++ [ "<function body>" ]) elemType (
            map (fn: {
              inherit (fn) file;
              value = fn.value fnArgs;
            }) defs
          )).mergedValue;
        getSubOptions = prefix: elemType.getSubOptions (prefix ++ [ "<function body>" ]);
        getSubModules = elemType.getSubModules;
        substSubModules = m: types.functionTo (elemType.substSubModules m);
        functor = (defaultFunctor "functionTo") // {
          wrapped = elemType;
          type = types.functionTo;
        };
        nestedTypes.elemType = elemType;
      };

    enum =
      values:
      let
        show =
          v:
          if isString v then
            ''"${v}"''
          else if isInt v then
            toString v
          else if isBool v then
            (if v then "true" else "false")
          else
            "<${typeOf v}>";
      in
      mkOptionType rec {
        name = "enum";
        description =
          if values == [ ] then
            "impossible (empty enum)"
          else if length values == 1 then
            "value ${show (head values)} (singular enum)"
          else
            "one of ${concatStringsSep ", " (map show values)}";
        descriptionClass = if length values < 2 then "noun" else "conjunction";
        check = x: elem x values;
        merge = mergeEqualOption;
        functor = (defaultFunctor name) // {
          payload = {
            inherit values;
          };
          type = payload: types.enum payload.values;
          binOp = a: b: { values = lib.lists.unique (a.values ++ b.values); };
        };
      };

    either =
      t1: t2:
      mkOptionType rec {
        name = "either";
        description =
          if t1.descriptionClass or null == "nonRestrictiveClause" then
            "${t1.description} or ${optionDescriptionPhrase (class: class == "noun" || class == "conjunction" || class == "composite") t2}"
          else
            "${optionDescriptionPhrase (class: class == "noun" || class == "conjunction") t1} or ${optionDescriptionPhrase (class: class == "noun" || class == "conjunction" || class == "composite") t2}";
        descriptionClass = "conjunction";
        check = v2Check (x: t1.check x || t2.check x);
        # The first member that accepts every definition merges them all.
        merge = v2Merge (
          { loc, defs }:
          let
            r1 = mergeV2 loc t1 defs;
            r2 = mergeV2 loc t2 defs;
          in
          if r1.headError == null then
            r1
          else if r2.headError == null then
            r2
          else
            rec {
              headError.message = "The option `${showOption loc}` is neither a value of type `${t1.description}` nor `${t2.description}`, Definition values: ${lib.options.showDefs defs}";
              valueMeta = {
                inherit headError;
              };
              # Reached when the merge is called without the module
              # system's check, e.g. as a freeformType.
              value = lib.trivial.warn ''
                One or more definitions did not pass the type-check of the 'either' type.
                ${headError.message}
                If `either`, `oneOf` or similar is used in freeformType, ensure that it is preceded by an 'attrsOf' such as: `freeformType = types.attrsOf (types.either t1 t2)`.
                Otherwise consider using the correct type for the option `${showOption loc}`.'' (mergeOneOption loc defs);
            }
        );
        typeMerge =
          f':
          let
            mt1 = t1.typeMerge (elemAt f'.wrapped 0).functor;
            mt2 = t2.typeMerge (elemAt f'.wrapped 1).functor;
          in
          if name == f'.name && mt1 != null && mt2 != null then types.either mt1 mt2 else null;
        functor = (defaultFunctor name) // {
          wrapped = [
            t1
            t2
          ];
        };
        nestedTypes.left = t1;
        nestedTypes.right = t2;
      };

    oneOf =
      ts:
      let
        first = head ts;
        rest = tail ts;
      in
      if ts == [ ] then
        throw "types.oneOf needs to get at least one type in its argument"
      else
        foldl' types.either first rest;

    coercedTo =
      coercedType: coerceFunc: finalType:
      assert lib.assertMsg (
        coercedType.getSubModules == null
      ) "coercedTo: coercedType must not have submodules (it’s a ${coercedType.description})";
      let
        accepts = x: (coercedType.check x && finalType.check (coerceFunc x)) || finalType.check x;
      in
      mkOptionType rec {
        name = "coercedTo";
        description = "${optionDescriptionPhrase (class: class == "noun") finalType} or ${optionDescriptionPhrase (class: class == "noun") coercedType} convertible to it";
        check = v2Check accepts;
        merge = v2Merge (
          { loc, defs }:
          let
            coerceVal =
              def:
              if (mergeV2 loc coercedType [ def ]).headError == null then coerceFunc def.value else def.value;
            finalDefs = map (def: def // { value = coerceVal def; }) defs;
          in
          if finalType.merge ? v2 then
            mergeV2 loc finalType finalDefs
          else
            {
              value = finalType.merge loc finalDefs;
              # Checked as written, so the error shows the value defined.
              headError = checkDefsForError accepts loc defs;
              valueMeta = { };
            }
        );
        emptyValue = finalType.emptyValue;
        getSubOptions = finalType.getSubOptions;
        getSubModules = finalType.getSubModules;
        substSubModules = m: types.coercedTo coercedType coerceFunc (finalType.substSubModules m);
        typeMerge = t: null;
        functor = (defaultFunctor name) // {
          wrapped = finalType;
        };
        nestedTypes.coercedType = coercedType;
        nestedTypes.finalType = finalType;
      };

    addCheck =
      elemType: check:
      if elemType.merge ? v2 then
        elemType
        // {
          check = v2Check (x: elemType.check x && check x);
          merge = v2Merge (
            { loc, defs }:
            let
              orig = mergeV2 loc elemType defs;
            in
            orig // { headError = if orig.headError != null then orig.headError else checkDefsForError check loc defs; }
          );
        }
      else
        elemType
        // {
          check = x: elemType.check x && check x;
        };

    optionType = mkOptionType {
      name = "optionType";
      description = "optionType";
      descriptionClass = "noun";
      check = isType "option-type";
      merge =
        loc: defs:
        if length defs == 1 then
          (head defs).value
        else
          let
            mergedType = foldl' (res: def: res.typeMerge def.value.functor) (head defs).value (tail defs);
          in
          if mergedType == null then
            throw "The option `${showOption loc}' has conflicting definitions of its type in ${showFiles (getFiles defs)}"
          else
            mergedType;
    };

    deferredModule = types.deferredModuleWith { };

    deferredModuleWith =
      attrs@{
        staticModules ? [ ],
      }:
      mkOptionType {
        name = "deferredModule";
        description = "module";
        descriptionClass = "noun";
        check = isModuleValue;
        merge = loc: defs: {
          imports =
            staticModules
            ++ map (
              def: lib.modules.setDefaultModuleLocation "${def.file}, via option ${showOption loc}" def.value
            ) defs;
        };
        inherit (types.submoduleWith { modules = staticModules; }) getSubOptions;
        getSubModules = staticModules;
        substSubModules = m: types.deferredModuleWith (attrs // { staticModules = m; });
        functor = defaultFunctor "deferredModuleWith" // {
          type = types.deferredModuleWith;
          payload = {
            inherit staticModules;
          };
          binOp = lhs: rhs: { staticModules = lhs.staticModules ++ rhs.staticModules; };
        };
      };

    submodule =
      modules:
      types.submoduleWith {
        shorthandOnlyDefinesConfig = true;
        modules = lib.lists.toList modules;
      };

    submoduleWith =
      {
        modules,
        specialArgs ? { },
        shorthandOnlyDefinesConfig ? false,
        description ? null,
        class ? null,
      }@attrs:
      let
        allModules =
          defs:
          map (
            { value, file, ... }:
            if isAttrs value && shorthandOnlyDefinesConfig == true then
              {
                _file = file;
                config = value;
              }
            else
              {
                _file = file;
                imports = [ value ];
              }
          ) defs;
        base = lib.modules.evalModules {
          inherit class specialArgs;
          modules = [ { _module.args.name = lib.mkOptionDefault "‹name›"; } ] ++ modules;
        };
        freeformType = base._module.freeformType;
        name = "submodule";
      in
      mkOptionType {
        inherit name;
        # "open submodule of attribute set of string": definitions of names
        # without an option are accepted, with the freeform type's checks.
        description =
          if description != null then
            description
          else if freeformType ? description then
            "open ${name} of ${optionDescriptionPhrase (class: class == "noun" || class == "composite") freeformType}"
          else
            name;
        check = v2Check isModuleValue;
        merge = v2Merge (
          { loc, defs }:
          let
            configuration = base.extendModules {
              modules = [ { _module.args.name = lib.lists.last loc; } ] ++ allModules defs;
              prefix = loc;
            };
          in
          {
            headError = checkDefsForError isModuleValue loc defs;
            value = configuration.config;
            # The evaluated submodule: its options with their definitions
            # and files (`valueMeta.configuration.options.x.files`).
            valueMeta = {
              inherit configuration;
            };
          }
        );
        emptyValue = {
          value = { };
        };
        getSubOptions =
          prefix:
          (base.extendModules { inherit prefix; }).options
          // (if freeformType == null then { } else { _freeformOptions = freeformType.getSubOptions prefix; });
        getSubModules = modules;
        substSubModules =
          m:
          types.submoduleWith (
            attrs
            // {
              modules = m;
            }
          );
        nestedTypes = if freeformType == null then { } else { inherit freeformType; };
        functor = (defaultFunctor name) // {
          type = types.submoduleWith;
          payload = {
            inherit modules class specialArgs shorthandOnlyDefinesConfig description;
          };
          binOp = lhs: rhs: {
            class = if lhs.class == null then rhs.class else if rhs.class == null then lhs.class else if lhs.class == rhs.class then lhs.class else throw "A submoduleWith option is declared multiple times with conflicting class values \"${toString lhs.class}\" and \"${toString rhs.class}\".";
            modules = lhs.modules ++ rhs.modules;
            specialArgs =
              let
                intersecting = builtins.intersectAttrs lhs.specialArgs rhs.specialArgs;
              in
              if intersecting == { } then
                lhs.specialArgs // rhs.specialArgs
              else
                throw "A submoduleWith option is declared multiple times with the same specialArgs \"${toString (attrNames intersecting)}\"";
            shorthandOnlyDefinesConfig =
              if lhs.shorthandOnlyDefinesConfig == null then
                rhs.shorthandOnlyDefinesConfig
              else if rhs.shorthandOnlyDefinesConfig == null then
                lhs.shorthandOnlyDefinesConfig
              else if lhs.shorthandOnlyDefinesConfig == rhs.shorthandOnlyDefinesConfig then
                lhs.shorthandOnlyDefinesConfig
              else
                throw "A submoduleWith option is declared multiple times with conflicting shorthandOnlyDefinesConfig values";
            description =
              if lhs.description == null then
                rhs.description
              else if rhs.description == null then
                lhs.description
              else if lhs.description == rhs.description then
                lhs.description
              else
                throw "A submoduleWith option is declared multiple times with conflicting descriptions";
          };
        };
      };

    # A sum type: a set with exactly one attribute, whose name picks the
    # option (`mkOption`) its value is merged as.
    #   attrTag { forward = mkOption { type = str; }; drop = mkOption { type = submodule { }; }; }
    attrTag =
      tagOptions:
      let
        esc = lib.strings.escapeNixIdentifier;
        posOf = n: builtins.unsafeGetAttrPos n tagOptions;
        tags = mapAttrs (
          n: opt:
          builtins.addErrorContext
            "while checking that attrTag tag ${esc n} is an option with a type${
              let
                p = posOf n;
              in
              if p == null then "" else " at ${p.file}:${toString p.line}:${toString p.column}"
            }"
            (
              if (opt._type or null) != "option" then
                throw "In attrTag, each tag value must be an option, but tag ${esc n} ${
                  if !(isAttrs opt && opt ? _type) then
                    "was not."
                  else if opt._type == "option-type" then
                    "was a bare type, not wrapped in mkOption."
                  else
                    "was of type ${lib.strings.escapeNixString opt._type}."
                }"
              else
                opt
                // {
                  type = opt.type or types.unspecified;
                  declarations = opt.declarations or (if posOf n == null then [ ] else [ (posOf n).file ]);
                  declarationPositions = opt.declarationPositions or (if posOf n == null then [ ] else [ (posOf n) ]);
                }
            )
        ) tagOptions;
        choices = concatStringsSep ", " (map esc (attrNames tags));
        tagOf = v: head (attrNames v);
      in
      mkOptionType {
        name = "attrTag";
        description = "attribute-tagged union with choices: ${choices}";
        descriptionClass = "noun";
        check = v: isAttrs v && length (attrNames v) == 1 && tags ? ${tagOf v};
        merge =
          loc: defs:
          let
            choice = tagOf (head defs).value;
            valueDefs = map (
              def:
              if tagOf def.value != choice then
                throw "The option `${showOption loc}` is defined both as `${choice}` and `${tagOf def.value}`, in ${showFiles (getFiles defs)}."
              else
                {
                  inherit (def) file;
                  value = def.value.${choice};
                }
                // lib.optionalAttrs (def ? line) { inherit (def) line; }
            ) defs;
          in
          if tags ? ${choice} then
            { ${choice} = (lib.modules.evalOptionValue (loc ++ [ choice ]) tags.${choice} valueDefs).value; }
          else
            throw "The option `${showOption loc}` is defined as ${esc choice}, but ${esc choice} is not among the valid choices (${choices}). Value ${choice} was defined in ${showFiles (getFiles defs)}.";
        getSubOptions = prefix: mapAttrs (tag: opt: opt // { loc = prefix ++ [ tag ]; }) tags;
        nestedTypes = tags;
        functor = defaultFunctor "attrTag" // {
          type = { tags, ... }: types.attrTag tags;
          payload = {
            inherit tags;
          };
          # Two declarations: the union of their tags, a tag declared in
          # both merged as two declarations of one option.
          binOp =
            a: b:
            let
              asDecl = opt: {
                options = opt;
                _file = "<attrTag {...}>";
                pos = null;
              };
            in
            {
              tags =
                a.tags
                // b.tags
                // mapAttrs (
                  tag: bOpt:
                  lib.modules.mergeOptionDecls [ tag ] [ (asDecl a.tags.${tag}) (asDecl bOpt) ]
                  // {
                    declarations = a.tags.${tag}.declarations ++ bOpt.declarations;
                    declarationPositions = a.tags.${tag}.declarationPositions ++ bOpt.declarationPositions;
                  }
                ) (builtins.intersectAttrs a.tags b.tags);
            };
        };
      };

    attrListOf = elemType: types.attrListWith { inherit elemType; };

    # An ordered list of single-attribute sets `[ { a = 1; } { b = 2; } ]`,
    # defined as such a list or as a set `{ a = 1; b = mkOrder 100 2; }`;
    # definitions are concatenated and sorted by their mkOrder priority
    # (definition order among equals), mkOverride deciding per name.  With
    # `asAttrs` the value is a set, names given more than once merged by
    # `mergeAttrValues name values` (all values as a list by default).
    attrListWith =
      {
        elemType,
        asAttrs ? false,
        mergeAttrValues ? _name: values: values,
      }:
      let
        description = "attribute list of ${optionDescriptionPhrase (class: class == "noun" || class == "composite") elemType}";
        check = x: isList x || isAttrs x;
        defaultOrder = lib.modules.defaultOrderPriority;
        defaultOverride = lib.modules.defaultOverridePriority;
        # mkOrder and mkOverride around a value, in either nesting: the
        # order is taken off, the override kept for mergeDefinitions.
        peel =
          v:
          let
            t = v._type or null;
            inner = peel v.content;
          in
          if t == "order" then
            inner // { order = v.priority; }
          else if t == "override" then
            inner
            // {
              override = v.priority;
              value = lib.modules.mkOverride v.priority inner.value;
            }
          else
            {
              value = v;
              order = defaultOrder;
              override = defaultOverride;
            };
      in
      mkOptionType {
        name = "attrListOf";
        inherit description;
        descriptionClass = "composite";
        check = v2Check check;
        merge = v2Merge (
          { loc, defs }:
          let
            fromElement =
              file: raw:
              let
                ordered = isType "order" raw;
                item = if ordered then raw.content else raw;
                key = head (attrNames item);
                peeled = peel item.${key};
              in
              if isAttrs item && length (attrNames item) == 1 then
                peeled
                // {
                  inherit file key;
                  order = if ordered then raw.priority else peeled.order;
                }
              else
                throw "A definition for option `${showOption loc}' is not of type `${description}'. ${
                  if !isAttrs item then
                    "Each list element must be an attribute set, but got ${typeOf item}"
                  else
                    "Each list element must be a single-key attribute set, but got ${toString (length (attrNames item))} keys"
                }.${
                  lib.options.showDefs [
                    {
                      inherit file;
                      value = raw;
                    }
                  ]
                }";
            itemsOf =
              def:
              if isList def.value then
                map (fromElement def.file) def.value
              else
                map (key: peel def.value.${key} // { inherit (def) file; inherit key; }) (attrNames def.value);
            all' = builtins.concatMap itemsOf defs;
            winning = foldl' (
              acc: item:
              if item.override < acc.${item.key} or defaultOverride then acc // { ${item.key} = item.override; } else acc
            ) { } all';
            items = builtins.sort (a: b: a.order < b.order) (
              filter (item: item.override == winning.${item.key} or defaultOverride) all'
            );
            evals = filter (e: e.eval.optionalValue ? value) (
              map (item: {
                inherit (item) key file order;
                eval = mergeDefinitions (loc ++ [ item.key ]) elemType [ { inherit (item) file value; } ];
              }) items
            );
            attrListValue = map (e: { ${e.key} = e.eval.optionalValue.value; }) evals;
          in
          {
            headError = checkDefsForError check loc defs;
            value = if asAttrs then zipAttrsWith mergeAttrValues attrListValue else attrListValue;
            valueMeta = {
              attrList = map (e: e.eval.checkedAndMerged.valueMeta) evals;
              inherit attrListValue;
              # Each entry as a definition of its own, with its file and order.
              definitions = map (
                e:
                lib.modules.mkDefinition {
                  inherit (e) file;
                  value = lib.modules.mkOrder e.order { ${e.key} = e.eval.optionalValue.value; };
                }
              ) evals;
            };
          }
        );
        emptyValue.value = if asAttrs then { } else [ ];
        getSubOptions = prefix: elemType.getSubOptions (prefix ++ [ "*" ]);
        getSubModules = elemType.getSubModules;
        substSubModules =
          m:
          types.attrListWith {
            inherit asAttrs mergeAttrValues;
            elemType = elemType.substSubModules m;
          };
        typeMerge = t: null;
        nestedTypes.elemType = elemType;
      };

    # Values a serialisation format can represent: booleans, numbers,
    # strings, paths, and sets and lists of them (null unless `nullable`
    # is false); `typeName` names the format in the description.
    serializableValueWith =
      {
        typeName,
        nullable ? true,
      }:
      let
        members = types.oneOf [
          types.bool
          types.int
          types.float
          types.str
          types.path
          (types.attrsOf valueType)
          (types.listOf valueType)
        ];
        valueType = (if nullable then types.nullOr members else members) // {
          description = "${typeName} value";
        };
      in
      valueType;

    json = types.serializableValueWith { typeName = "JSON"; };
    toml = types.serializableValueWith {
      typeName = "TOML";
      nullable = false;
    };

    # A file set (lib.fileset), or a path standing for the files below it;
    # definitions are united.
    fileset = mkOptionType {
      name = "fileset";
      description = "fileset";
      descriptionClass = "noun";
      check = x: lib.fileset.isFileset x || builtins.isPath x;
      merge = loc: defs: lib.fileset.unions (map (def: def.value) defs);
      emptyValue.value = lib.fileset.empty;
    };

    # Internal: `types.mkOptionType` and friends are exported too.
    inherit mkOptionType isType setType;
  };

  elemAt = builtins.elemAt;
in
# `lib.types`: the types themselves plus the helpers nixpkgs exports there.
types
// {
  inherit
    mkOptionType
    isType
    setType
    isStringLike
    isStorePath
    optionDescriptionPhrase
    defaultFunctor
    defaultTypeMerge
    checkV2MergeCoherence
    hasStorePathPrefix
    ;
  isOptionType = isType "option-type";
}
