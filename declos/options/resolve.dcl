# The module-system steps of `declos options` on a concrete option path
# (services.nginx.virtualHosts."example.org".locations."/".proxyPass): each
# does what the type's merge does with the definitions at that place, so
# that what is shown is what the configuration computed.  The walk itself is
# in resolve.py.
#
# `defs` are definitions after properties were discharged, as a type's
# `merge` receives them: [ { file; value; line?; } ].
{ lib }:
let
  inherit (builtins)
    all
    attrNames
    concatLists
    filter
    hasAttr
    isAttrs
    length
    map
    unsafeGetAttrPos
    ;
  imap1 = f: list: builtins.genList (n: f (n + 1) (builtins.elemAt list n)) (length list);
  withLine =
    def: extra: if def ? line then extra // { inherit (def) line; } else extra;
in
rec {
  mergeDefinitions = loc: type: defs: lib.modules.mergeDefinitions loc type defs;

  # attrsOf/lazyAttrsOf: the definitions of entry `name`, with the line of
  # the attribute when it is in the definition's own file (as attrsWith's
  # merge gives them).
  entryDefs =
    defs: name:
    map (
      def:
      let
        pos = unsafeGetAttrPos name def.value;
        base = {
          inherit (def) file;
          value = def.value.${name};
        };
      in
      if pos != null && pos.file == toString def.file then base // { inherit (pos) line; } else withLine def base
    ) (filter (def: isAttrs def.value && hasAttr name def.value) defs);

  entryNames =
    defs: lib.lists.unique (concatLists (map (def: if isAttrs def.value then attrNames def.value else [ ]) defs));

  # listOf: the entries in the order of the merged list, each with the
  # location listOf's merge gives it; entries whose definitions vanish
  # (mkIf false) are not in the list.
  listEntries =
    loc: elemType: defs:
    filter (e: (mergeDefinitions e.loc elemType e.defs).isDefined) (
      concatLists (
        imap1 (
          n: def:
          imap1 (m: v: {
            loc = loc ++ [ "[definition ${toString n}-entry ${toString m}]" ];
            defs = [ (withLine def { inherit (def) file; value = v; }) ];
          }) def.value
        ) defs
      )
    );

  # A submodule's configuration for the definitions at `loc`, as
  # submoduleWith's merge evaluates it (its `options` are concrete).
  submodule =
    loc: type: defs:
    let
      p = type.functor.payload;
      asModule =
        { value, file, ... }:
        if isAttrs value && p.shorthandOnlyDefinesConfig == true then
          {
            _file = file;
            config = value;
          }
        else
          {
            _file = file;
            imports = [ value ];
          };
    in
    lib.modules.evalModules {
      class = p.class or null;
      specialArgs = p.specialArgs or { };
      modules =
        [ { _module.args.name = lib.mkOptionDefault "‹name›"; } ]
        ++ p.modules
        ++ [ { _module.args.name = lib.lists.last loc; } ]
        ++ map asModule defs;
      prefix = loc;
    };

  # either: the branch every definition checks against (as its merge picks).
  eitherBranch =
    type: defs:
    let
      inherit (type.nestedTypes) left right;
    in
    if all (d: left.check d.value) defs then left else if all (d: right.check d.value) defs then right else null;

  # coercedTo: the final type when no definition needs coercing (the
  # coercion function is not reachable from the type).
  coercedBranch =
    type: defs:
    if all (d: !type.nestedTypes.coercedType.check d.value) defs then type.nestedTypes.finalType else null;

  # An entry of an attrsOf/listOf (or a freeform attribute) as an option
  # record: the definitions that made it, merged with the element type.
  entryOption =
    loc: type: rawDefs: parent:
    let
      res = mergeDefinitions loc type rawDefs;
    in
    {
      _type = "option";
      inherit loc type;
      declarations = parent.declarations or [ ];
      declarationPositions = parent.declarationPositions or [ ];
      value = res.mergedValue;
      isDefined = res.isDefined;
      highestPrio = res.defsFinal'.highestPrio;
      files = map (def: def.file) res.defsFinal;
      definitions = map (def: def.value) res.defsFinal;
      definitionsWithLocations = res.defsFinal;
      rawDefinitions = rawDefs;
    };

  # A value below a type the walk cannot see into (a coercedTo whose
  # definitions were coerced): the value alone, without definitions.
  valueOption = loc: value: parent: {
    _type = "option";
    inherit loc value;
    type = lib.types.unspecified;
    isDefined = true;
    declarations = parent.declarations or [ ];
    declarationPositions = parent.declarationPositions or [ ];
  };
}
