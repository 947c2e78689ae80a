# Option declarations and the helpers that merge and show definitions
# (nixpkgs lib.options semantics).
#
# A definition is `{ file; value; }` (plus `line` when its position is
# known); `showDefs` renders a list of them for error messages.
{ lib }:
let
  inherit (builtins)
    all
    concatStringsSep
    filter
    head
    isAttrs
    isBool
    isFunction
    isInt
    isList
    isString
    length
    map
    tail
    tryEval
    ;

  isOption = x: isAttrs x && (x._type or "") == "option";

  mkOption =
    {
      default ? null,
      defaultText ? null,
      example ? null,
      description ? null,
      relatedPackages ? null,
      type ? null,
      apply ? null,
      internal ? null,
      visible ? null,
      readOnly ? null,
    }@attrs:
    attrs // { _type = "option"; };

  mkEnableOption =
    name:
    mkOption {
      default = false;
      example = true;
      description = "Whether to enable ${name}.";
      type = lib.types.bool;
    };

  mkPackageOption =
    pkgs: name:
    {
      nullable ? false,
      default ? name,
      example ? null,
      extraDescription ? "",
      pkgsText ? "pkgs",
    }:
    let
      path = if isList default then default else if isString default then [ default ] else [ ];
      name' = if isList name then concatStringsSep "." name else name;
      attrPath = if isList name then name else [ name ];
      defaultValue =
        if default == null then null else lib.attrByPath (if path == [ ] then attrPath else path) null pkgs;
    in
    mkOption (
      {
        type = if nullable then lib.types.nullOr lib.types.package else lib.types.package;
        description = "The ${name'} package to use." + (if extraDescription == "" then "" else " " + extraDescription);
      }
      // (if default == null then { } else { default = defaultValue; })
      // (if example == null then { } else { example = example; })
      // {
        defaultText = literalExpression "${pkgsText}.${concatStringsSep "." (if path == [ ] then attrPath else path)}";
      }
    );

  mkSinkUndeclaredOptions =
    attrs:
    mkOption (
      {
        internal = true;
        visible = false;
        default = false;
        description = "Sink for option definitions.";
        type = lib.types.unspecified;
        apply = x: throw "Option value is not readable because the option is not declared.";
      }
      // attrs
    );

  literalExpression =
    text:
    if !isString text then
      throw "literalExpression expects a string."
    else
      {
        _type = "literalExpression";
        inherit text;
      };

  literalMD =
    text:
    if !isString text then
      throw "literalMD expects a string."
    else
      {
        _type = "literalMD";
        inherit text;
      };

  mdDoc = text: text;

  getValues = map (x: x.value);
  getFiles = map (x: x.file);

  # Files as Nix lists them: "`a.nix' and `b.nix'".
  showFiles =
    files:
    let
      quoted = map (f: "`${toString f}'") files;
      n = length quoted;
    in
    if n == 0 then
      "<unknown file>"
    else if n == 1 then
      head quoted
    else
      concatStringsSep ", " (lib.lists.take (n - 1) quoted) + " and " + lib.lists.last quoted;

  # `a.b."c.d".<name>`: names that are not identifiers are quoted.
  showOption =
    parts:
    let
      escapeOptionPart =
        part:
        if part == "*" || builtins.match "<.*>" part != null then
          part
        else
          lib.strings.escapeNixIdentifier part;
    in
    concatStringsSep "." (map escapeOptionPart parts);

  showDefLocation = def: if def.line or null != null then "${toString def.file}:${toString def.line}" else toString def.file;

  showDefs =
    defs:
    lib.strings.concatMapStrings (
      def:
      let
        pretty = tryEval (
          lib.generators.toPretty { } (
            lib.generators.withRecursion {
              depthLimit = 10;
              throwOnDepthLimit = false;
            } def.value
          )
        );
        lines = filter (v: !isList v) (builtins.split "\n" pretty.value);
        shown = concatStringsSep "\n    " (lib.lists.take 5 lines ++ (if length lines > 5 then [ "..." ] else [ ]));
        result =
          if !pretty.success then
            ""
          else if length lines > 1 then
            ":\n    " + shown
          else
            ": " + shown;
      in
      "\n- In `${showDefLocation def}'${result}"
    ) defs;

  mergeDefaultOption =
    loc: defs:
    let
      list = getValues defs;
    in
    if length list == 1 then
      head list
    else if all isFunction list then
      x: mergeDefaultOption loc (map (f: f x) list)
    else if all isList list then
      builtins.concatLists list
    else if all isAttrs list then
      builtins.foldl' (a: b: a // b) { } list
    else if all isBool list then
      builtins.foldl' (a: b: a || b) false list
    else if all isString list then
      lib.strings.concatStrings list
    else if all isInt list && all (x: x == head list) list then
      head list
    else
      throw "Cannot merge definitions of `${showOption loc}'. Definition values:${showDefs defs}";

  mergeOneOption = mergeUniqueOption { message = ""; };

  mergeUniqueOption =
    { message }:
    loc: defs:
    if length defs == 1 then
      (head defs).value
    else
      throw (
        "The option `${showOption loc}' is defined multiple times while it's expected to be unique.\n"
        + (if message == "" then "" else message + "\n")
        + "Definition values:${showDefs defs}\n"
        + "Use `lib.mkForce value` or `lib.mkDefault value` to change the priority on any of these definitions."
      );

  mergeEqualOption =
    loc: defs:
    if defs == [ ] then
      throw "Cannot merge an empty list of definitions for `${showOption loc}'."
    else if length defs == 1 then
      (head defs).value
    else
      (builtins.foldl' (
        first: def:
        if def.value != first.value then
          throw "The option `${showOption loc}' has conflicting definition values:${showDefs [ first def ]}\nUse `lib.mkForce value` or `lib.mkDefault value` to change the priority on any of these definitions."
        else
          first
      ) (head defs) (tail defs)).value;

  # Options as a flat list, for documentation (nixpkgs' optionAttrSetToDocList).
  optionAttrSetToDocList = optionAttrSetToDocList' [ ];
  optionAttrSetToDocList' =
    _: options:
    builtins.concatMap (
      opt:
      let
        subOptions =
          let
            ss = opt.type.getSubOptions opt.loc;
          in
          if ss != { } then optionAttrSetToDocList' opt.loc ss else [ ];
        docOption = {
          loc = opt.loc;
          name = showOption opt.loc;
          description = opt.description or null;
          declarations = filter (x: x != lib.modules.unknownModule) opt.declarations;
          internal = opt.internal or false;
          visible = if (opt ? visible && opt.visible == "shallow") then true else opt.visible or true;
          readOnly = opt.readOnly or false;
          type = opt.type.description or "unspecified";
        }
        // (if opt ? example then { example = renderOptionValue opt.example; } else { })
        // (
          if opt ? defaultText || opt ? default then
            { default = renderOptionValue (opt.defaultText or opt.default); }
          else
            { }
        );
      in
      [ docOption ] ++ (if docOption.visible && !docOption.internal then subOptions else [ ])
    ) (lib.attrsets.collect isOption options);

  renderOptionValue =
    v:
    if v ? _type && v ? text then
      v
    else
      literalExpression (
        lib.generators.toPretty { multiline = true; } v
      );

  scrubOptionValue =
    x:
    if lib.attrsets.isDerivation x then
      {
        type = "derivation";
        drvPath = x.name;
        outPath = x.name;
        name = x.name;
      }
    else if isList x then
      map scrubOptionValue x
    else if isAttrs x then
      builtins.mapAttrs (n: v: scrubOptionValue v) (removeAttrs x [ "_args" ])
    else
      x;
in
{
  inherit
    isOption
    mkOption
    mkEnableOption
    mkPackageOption
    mkSinkUndeclaredOptions
    literalExpression
    literalMD
    mdDoc
    getValues
    getFiles
    showFiles
    showOption
    showDefs
    mergeDefaultOption
    mergeOneOption
    mergeUniqueOption
    mergeEqualOption
    optionAttrSetToDocList
    optionAttrSetToDocList'
    renderOptionValue
    scrubOptionValue
    ;
  literalExample = literalExpression;
}
