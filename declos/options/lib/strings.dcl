# lib.strings: concatenation, affixes, escaping, case, splitting, versions,
# configure-flag helpers and number parsing.
#
# String lengths and offsets count bytes, as Nix's do.  Functions that take
# strings apart keep the input's context (`splitString`, `toSentenceCase`).
{ lib }:
let
  inherit (builtins)
    compareVersions concatStringsSep elemAt filter fromJSON genList head isInt isList
    isPath isString length match replaceStrings split stringLength substring typeOf
    unsafeDiscardStringContext;

  concatStrings = concatStringsSep "";
  concatMapStrings = f: list: concatStrings (map f list);

  lowerChars = stringToCharacters "abcdefghijklmnopqrstuvwxyz";
  upperChars = stringToCharacters "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  toLower = replaceStrings upperChars lowerChars;
  toUpper = replaceStrings lowerChars upperChars;

  stringToCharacters = s: genList (i: substring i 1 s) (stringLength s);

  escape = list: replaceStrings list (map (c: "\\${c}") list);
  escapeRegex = escape (stringToCharacters "\\[{()^$?*+|.");
  escapeNixString = s: escape [ "$" ] (builtins.toJSON s);

  isStringLike = x: isString x || isPath x || x ? outPath || x ? __toString;

  addContextFrom = src: target: substring 0 0 src + target;

  splitString = sep: s:
    let parts = filter isString (split (escapeRegex (toString sep)) (toString s)); in
    map (addContextFrom s) parts;

  hasPrefix = pref: str:
    lib.warnIf (isPath pref)
      "lib.strings.hasPrefix: The first argument (${toString pref}) is a path value, but only strings are supported."
      (substring 0 (stringLength pref) str == pref);

  hasSuffix = suffix: content:
    let
      n = stringLength content;
      k = stringLength suffix;
    in
    lib.warnIf (isPath suffix)
      "lib.strings.hasSuffix: The first argument (${toString suffix}) is a path value, but only strings are supported."
      (n >= k && substring (n - k) n content == suffix);

  makeSearchPath = subDir: paths:
    concatStringsSep ":" (map (path: path + "/" + subDir) (filter (x: x != null) paths));
  makeSearchPathOutput = output: subDir: pkgs:
    makeSearchPath subDir (map (lib.getOutput output) pkgs);

  escapeShellArg = arg:
    let s = toString arg; in
    if match "[[:alnum:],._+:@%/-]+" s == null
    then "'${replaceStrings [ "'" ] [ "'\\''" ] s}'"
    else s;

  isValidPosixName = name: match "[a-zA-Z_][a-zA-Z0-9_]*" name != null;

  toShellVar = name: value:
    lib.throwIfNot (isValidPosixName name) "toShellVar: ${name} is not a valid shell variable name" (
      if builtins.isAttrs value && !isStringLike value then
        "declare -A ${name}=(${concatStringsSep " " (lib.mapAttrsToList (n: v: "[${escapeShellArg n}]=${escapeShellArg v}") value)})"
      else if isList value then
        "declare -a ${name}=(${concatStringsSep " " (map escapeShellArg value)})"
      else
        "${name}=${escapeShellArg value}");

  enableFeature = flag: feature:
    assert lib.assertMsg (builtins.isBool flag) "enableFeature: flag must be a boolean";
    assert lib.assertMsg (isString feature) "enableFeature: feature must be a string";
    "--${if flag then "enable" else "disable"}-${feature}";

  withFeature = flag: feature:
    assert lib.assertMsg (builtins.isBool flag) "withFeature: flag must be a boolean";
    assert lib.assertMsg (isString feature) "withFeature: feature must be a string";
    "--${if flag then "with" else "without"}-${feature}";

  fixedWidthString = width: filler: str:
    let
      strw = stringLength str;
      reqWidth = width - stringLength filler;
    in
    assert lib.assertMsg (strw <= width)
      "fixedWidthString: requested string length (${toString width}) must not be shorter than actual length (${toString strw})";
    if strw == width then str else filler + fixedWidthString reqWidth filler str;

  isConvertibleWithToString =
    let scalars = [ "null" "int" "float" "bool" ]; in
    x: isStringLike x || builtins.elem (typeOf x) scalars
      || (isList x && builtins.all isConvertibleWithToString x);

  parseDecimal = name: pattern: str:
    let
      m = match pattern str;
      digits = head m;
      parsed = fromJSON digits;
      generalError = "${name}: Could not convert ${escapeNixString str} to int.";
    in
    { inherit m digits parsed generalError; };

  trimWith = { start ? false, end ? false }:
    let
      ws = " \t\r\n";
      regex =
        if start && end then "[${ws}]*(.*[^${ws}])[${ws}]*"
        else if start then "[${ws}]*(.*)"
        else if end then "(.*[^${ws}])[${ws}]*"
        else "(.*)";
    in
    s: let m = match regex s; in if m == null then "" else head m;
in
{
  inherit (builtins)
    compareVersions concatStringsSep elem elemAt filter fromJSON genList head isInt isList
    isAttrs isPath isString match parseDrvName readFile replaceStrings split storeDir
    stringLength substring tail toJSON typeOf unsafeDiscardStringContext;
  inherit concatStrings concatMapStrings lowerChars upperChars toLower toUpper
    stringToCharacters escape escapeRegex escapeNixString isStringLike addContextFrom
    splitString hasPrefix hasSuffix makeSearchPath makeSearchPathOutput escapeShellArg
    isValidPosixName toShellVar enableFeature withFeature fixedWidthString
    isConvertibleWithToString trimWith;

  join = concatStringsSep;
  concatImapStrings = f: list: concatStrings (lib.imap1 f list);
  concatMapStringsSep = sep: f: list: concatStringsSep sep (map f list);
  concatImapStringsSep = sep: f: list: concatStringsSep sep (lib.imap1 f list);
  concatLines = concatMapStrings (s: s + "\n");
  replicate = n: s: concatStrings (lib.lists.replicate n s);

  intersperse = separator: list:
    if list == [ ] || length list == 1 then list
    else builtins.tail (builtins.concatMap (x: [ separator x ]) list);

  optionalString = cond: string: if cond then string else "";

  trim = trimWith { start = true; end = true; };

  hasInfix = infix: content:
    lib.warnIf (isPath infix)
      "lib.strings.hasInfix: The first argument (${toString infix}) is a path value, but only strings are supported."
      (match ".*${escapeRegex infix}.*" "${content}" != null);

  removePrefix = prefix: str:
    assert lib.assertMsg (!isPath prefix)
      "lib.strings.removePrefix: The first argument (${toString prefix}) is a path value, but only strings are supported.";
    let n = stringLength prefix; in
    if substring 0 n str == prefix then substring n (-1) str else str;

  removeSuffix = suffix: str:
    assert lib.assertMsg (!isPath suffix)
      "lib.strings.removeSuffix: The first argument (${toString suffix}) is a path value, but only strings are supported.";
    let
      k = stringLength suffix;
      n = stringLength str;
    in
    if k <= n && suffix == substring (n - k) k str then substring 0 (n - k) str else str;

  stringAsChars = f: s: concatStrings (map f (stringToCharacters s));
  replaceChars = replaceStrings;
  toSentenceCase = str:
    lib.throwIfNot (isString str)
      "toSentenceCase does only accepts string values, but got ${typeOf str}"
      (addContextFrom str (toUpper (substring 0 1 str) + toLower (substring 1 (-1) str)));

  escapeShellArgs = list: concatStringsSep " " (map escapeShellArg list);
  toShellVars = vars: concatStringsSep "\n" (lib.mapAttrsToList toShellVar vars);
  escapeNixIdentifier = s:
    if match "[a-zA-Z_][a-zA-Z0-9_'-]*" s != null then s else escapeNixString s;
  escapeXML = replaceStrings [ "\"" "'" "<" ">" "&" ] [ "&quot;" "&apos;" "&lt;" "&gt;" "&amp;" ];

  makeLibraryPath = makeSearchPathOutput "lib" "lib";
  makeIncludePath = makeSearchPathOutput "dev" "include";
  makeBinPath = makeSearchPathOutput "bin" "bin";

  normalizePath = s:
    lib.warnIf (isPath s)
      "lib.strings.normalizePath: The argument (${toString s}) is a path value, but only strings are supported."
      (builtins.foldl' (acc: c: if c == "/" && hasSuffix "/" acc then acc else acc + c) "" (stringToCharacters s));

  versionOlder = v1: v2: compareVersions v2 v1 == 1;
  versionAtLeast = v1: v2: compareVersions v2 v1 != 1;

  getName = x:
    if isString x then (builtins.parseDrvName x).name
    else x.pname or (builtins.parseDrvName x.name).name;
  getVersion = x:
    if isString x then (builtins.parseDrvName x).version
    else x.version or (builtins.parseDrvName x.name).version;

  nameFromURL = url: sep:
    let
      filename = lib.last (splitString "/" url);
      name = head (splitString sep filename);
    in
    assert name != filename;
    name;

  enableFeatureAs = flag: feature: value:
    enableFeature flag feature + (if flag then "=${value}" else "");
  withFeatureAs = flag: feature: value:
    withFeature flag feature + (if flag then "=${value}" else "");

  cmakeOptionType = type: feature: value:
    assert lib.assertMsg (builtins.elem (toUpper type) [ "BOOL" "FILEPATH" "PATH" "STRING" "INTERNAL" ])
      "cmakeOptionType only accepts type values from the list: BOOL, FILEPATH, PATH, STRING, INTERNAL";
    "-D${feature}:${toUpper type}=${value}";
  cmakeBool = condition: flag: "-D${condition}:BOOL=${if flag then "TRUE" else "FALSE"}";
  cmakeFeature = feature: value: "-D${feature}:STRING=${value}";
  mesonOption = feature: value: "-D${feature}=${value}";
  mesonBool = condition: flag: "-D${condition}=${if flag then "true" else "false"}";
  mesonEnable = feature: flag: "-D${feature}=${if flag then "enabled" else "disabled"}";

  fixedWidthNumber = width: n: fixedWidthString width "0" (toString n);

  floatToString = float:
    let
      result = toString float;
      precise = float == fromJSON result;
    in
    lib.warnIf (!precise) "Imprecise conversion from float to string ${result}" result;

  isStorePath = x:
    if isStringLike x then
      let s = toString x; in
      substring 0 1 s == "/" && dirOf s == builtins.storeDir
    else false;

  toInt = str:
    let p = parseDecimal "toInt" "[[:space:]]*(-?[[:digit:]]+)[[:space:]]*" str; in
    if p.m == null then throw p.generalError
    else if match "0[[:digit:]]+" p.digits != null then
      throw "toInt: Ambiguity in interpretation of ${escapeNixString str} between octal and zero padded integer."
    else if !isInt p.parsed then throw p.generalError
    else p.parsed;

  toIntBase10 = str:
    let p = parseDecimal "toIntBase10" "[[:space:]]*0*(-?[[:digit:]]+)[[:space:]]*" str; in
    if p.m == null then throw p.generalError
    else if match "0+" p.digits != null then 0
    else if !isInt p.parsed then throw p.generalError
    else p.parsed;

  fileContents = file: lib.removeSuffix "\n" (builtins.readFile file);

  sanitizeDerivationName = string:
    if stringLength string <= 207 && match "[[:alnum:]+_?=-][[:alnum:]+._?=-]*" string != null
    then unsafeDiscardStringContext string
    else
      let
        plain = unsafeDiscardStringContext string;
        noDots = head (match "\\.*(.*)" plain);
        dashed = concatMapStrings (p: if isList p then "-" else p) (split "[^[:alnum:]+._?=-]+" noDots);
        n = stringLength dashed;
        short = substring (if n > 207 then n - 207 else 0) (-1) dashed;
      in
      if short == "" then "unknown" else short;
}
