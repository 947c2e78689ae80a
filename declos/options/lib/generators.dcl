# lib.generators: rendering values as configuration file formats
# (key=value, INI, git-config, JSON/YAML) and as Nix-like text (toPretty).
#
# Every generator is a function of an options set first, then the value,
# e.g. `toINI { } { sec.key = 1; }`.
{ lib }:
let
  inherit (builtins)
    attrNames concatStringsSep elem filter head isAttrs isFloat isInt isList isPath isString
    length mapAttrs tail;
  inherit (lib) isFunction isDerivation mapAttrsToList escape;

  mkValueStringDefault = { }: v:
    let
      err = what: v:
        abort ("generators.mkValueStringDefault: ${what} not supported: ${toPretty { } v}");
    in
    if isInt v then toString v
    else if isDerivation v then toString v
    else if isString v then v
    else if true == v then "true"
    else if false == v then "false"
    else if null == v then "null"
    else if isList v then err "lists" v
    else if isAttrs v then err "attrsets" v
    else if isFunction v then err "functions" v
    else if isFloat v then lib.strings.floatToString v
    else err "this value is" (toString v);

  mkKeyValueDefault = { mkValueString ? mkValueStringDefault { } }: sep: k: v:
    "${escape [ sep ] k}${sep}${mkValueString v}";

  toKeyValue = { mkKeyValue ? mkKeyValueDefault { } "=", listsAsDuplicateKeys ? false, indent ? "" }:
    let
      line = k: v: indent + mkKeyValue k v + "\n";
      lines =
        if listsAsDuplicateKeys
        then k: v: map (line k) (if isList v then v else [ v ])
        else k: v: [ (line k v) ];
    in
    attrs: concatStringsSep "" (builtins.concatLists (mapAttrsToList lines attrs));

  defaultSectionName = name: escape [ "[" "]" ] name;

  toINI = { mkSectionName ? defaultSectionName, mkKeyValue ? mkKeyValueDefault { } "=", listsAsDuplicateKeys ? false }:
    attrsOfAttrs:
    let
      section = name: values:
        "[${mkSectionName name}]\n" + toKeyValue { inherit mkKeyValue listsAsDuplicateKeys; } values;
    in
    concatStringsSep "\n" (mapAttrsToList section attrsOfAttrs);

  toINIWithGlobalSection = { mkSectionName ? defaultSectionName, mkKeyValue ? mkKeyValueDefault { } "=", listsAsDuplicateKeys ? false }:
    { globalSection, sections ? { } }:
    (if globalSection == { } then ""
     else toKeyValue { inherit mkKeyValue listsAsDuplicateKeys; } globalSection + "\n")
    + toINI { inherit mkSectionName mkKeyValue listsAsDuplicateKeys; } sections;

  toGitINI = attrs:
    let
      # "a.b.c" is section "a", subsection "b.c" (unless it already holds quotes).
      sectionName = name:
        let parts = lib.splitString "." name; in
        if lib.hasInfix "\"" name || tail parts == [ ] then name
        else "${head parts} \"${concatStringsSep "." (tail parts)}\"";

      valueString = v:
        mkValueStringDefault { } (
          if isString v
          then "\"${builtins.replaceStrings [ "\n" "\t" "\"" "\\" ] [ "\\n" "\\t" "\\\"" "\\\\" ] v}\""
          else v);

      keyValue = k: v:
        concatStringsSep "\n"
          (map (x: "\t" + mkKeyValueDefault { mkValueString = valueString; } " = " k x) (lib.toList v));

      # { a.b.c = 5; } -> { "a.b".c = 5; }
      flattenSections =
        let
          go = path: value:
            if isAttrs value && !isDerivation value then
              mapAttrsToList (name: v: go ([ name ] ++ path) v) value
            else if length path > 1 then
              { ${concatStringsSep "." (lib.reverseList (tail path))}.${head path} = value; }
            else
              { ${head path} = value; };
        in
        a: lib.foldl lib.recursiveUpdate { } (lib.flatten (go [ ] a));
    in
    toINI { mkKeyValue = keyValue; mkSectionName = sectionName; } (flattenSections attrs);

  withRecursion = { depthLimit, throwOnDepthLimit ? true }:
    let
      special = [ "__functor" "__functionArgs" "__toString" "__pretty" ];
      limit = depth:
        if depthLimit != null && depth > depthLimit then
          (if throwOnDepthLimit
           then throw "Exceeded maximum eval-depth limit of ${toString depthLimit} while trying to evaluate with `generators.withRecursion'!"
           else _: "<unevaluated>")
        else x: x;
      go = depth: v:
        let next = x: go (depth + 1) (limit (depth + 1) x); in
        if isAttrs v then mapAttrs (name: if elem name special then x: x else next) v
        else if isList v then map next v
        else limit (depth + 1) v;
    in
    go 0;

  toPretty = { allowPrettyValues ? false, multiline ? true, indent ? "" }:
    let
      go = indent: v:
        let
          introSpace = if multiline then "\n${indent}  " else " ";
          outroSpace = if multiline then "\n${indent}" else " ";
        in
        if isInt v then toString v
        else if isFloat v then builtins.toJSON v
        else if isString v then
          let
            lines = filter (x: !isList x) (builtins.split "\n" v);
            single = "\"" + concatStringsSep "\\n" (map (escape [ "\\" "\"" "\${" ]) lines) + "\"";
            escaped = map (builtins.replaceStrings [ "\${" "''" ] [ "''\${" "'''" ]) lines;
            lastLine = lib.last escaped;
            multi = "''" + introSpace + concatStringsSep introSpace (lib.init escaped)
              + (if lastLine == "" then outroSpace else introSpace + lastLine) + "''";
          in
          if multiline && length lines > 1 then multi else single
        else if true == v then "true"
        else if false == v then "false"
        else if null == v then "null"
        else if isPath v then toString v
        else if isList v then
          (if v == [ ] then "[ ]"
           else "[" + introSpace + concatStringsSep introSpace (map (go (indent + "  ")) v) + outroSpace + "]")
        else if isFunction v then
          let
            args = lib.functionArgs v;
            shown = concatStringsSep ", " (mapAttrsToList (n: hasDefault: if hasDefault then n + "?" else n) args);
          in
          if args == { } then "<function>" else "<function, args: {${shown}}>"
        else if isAttrs v then
          (if allowPrettyValues && v ? __pretty && v ? val then v.__pretty v.val
           else if v == { } then "{ }"
           else if v ? type && v.type == "derivation" then "<derivation ${v.name or "???"}>"
           else "{" + introSpace
             + concatStringsSep introSpace (mapAttrsToList (name: value:
                 "${lib.strings.escapeNixIdentifier name} = ${
                   builtins.addErrorContext "while evaluating an attribute `${name}`" (go (indent + "  ") value)};") v)
             + outroSpace + "}")
        else abort "generators.toPretty: should never happen (v = ${v})";
    in
    go indent;
in
{
  inherit mkValueStringDefault mkKeyValueDefault toKeyValue toINI toINIWithGlobalSection
    toGitINI withRecursion toPretty;

  toJSON = { }: builtins.toJSON;
  # JSON is a subset of YAML 1.2.
  toYAML = { }: builtins.toJSON;
}
