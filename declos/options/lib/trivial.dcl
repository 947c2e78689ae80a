# lib.trivial: combinators, booleans, numbers, warnings, function arguments and
# the release information.  Depends on `lib` only inside function bodies.
{ lib }:
let
  inherit (builtins) isInt;

  isFunction = f: builtins.isFunction f || (f ? __functor && isFunction (f.__functor f));

  functionArgs = f:
    if f ? __functor then f.__functionArgs or (functionArgs (f.__functor f))
    else builtins.functionArgs f;

  setFunctionArgs = f: args: { __functor = self: f; __functionArgs = args; };

  abortOnWarn = builtins.elem (builtins.getEnv "NIX_ABORT_ON_WARN") [ "1" "true" "yes" ];

  # Nix >= 2.23 (and declos) have builtins.warn; older Nix gets a coloured trace.
  warn = builtins.warn or (msg: value:
    assert builtins.isString msg;
    if abortOnWarn then
      builtins.trace "[1;31mevaluation warning:[0m ${msg}"
        (builtins.abort "NIX_ABORT_ON_WARN=true; warnings are treated as unrecoverable errors.")
    else
      builtins.trace "[1;35mevaluation warning:[0m ${msg}" value);

  release = "24.11";
  oldestSupportedRelease = 2405;

  hexDigits = [ "0" "1" "2" "3" "4" "5" "6" "7" "8" "9" "A" "B" "C" "D" "E" "F" ];

  toBaseDigits = base: i:
    let
      digits = n: if n < base then [ n ] else digits (n / base) ++ [ (n - n / base * base) ];
    in
    assert isInt base;
    assert isInt i;
    assert base >= 2;
    assert i >= 0;
    digits i;
in
{
  inherit (builtins)
    isInt isBool isFloat isString isList isAttrs isPath isNull
    bitAnd bitOr bitXor seq deepSeq;
  inherit isFunction functionArgs setFunctionArgs warn release oldestSupportedRelease
    toBaseDigits;

  id = x: x;
  const = x: y: x;
  flip = f: a: b: f b a;
  pipe = value: fns: builtins.foldl' (acc: fn: fn acc) value fns;
  concat = x: y: x ++ y;
  or = x: y: x || y;
  and = x: y: x && y;
  xor = x: y: (!x) != (!y);
  bitNot = builtins.sub (-1);
  boolToString = b: if b then "true" else "false";
  boolToYesNo = b: if b then "yes" else "no";
  mergeAttrs = x: y: x // y;
  defaultTo = default: value: if value == null then default else value;
  mapNullable = f: a: if a == null then a else f a;

  min = x: y: if x < y then x else y;
  max = x: y: if x > y then x else y;
  mod = base: int: base - int * (base / int);
  compare = a: b: if a < b then -1 else if a > b then 1 else 0;
  splitByAndCompare = p: yes: no: a: b:
    if p a then (if p b then yes a b else -1)
    else if p b then 1
    else no a b;

  importJSON = path: builtins.fromJSON (builtins.readFile path);
  importTOML = path: builtins.fromTOML (builtins.readFile path);

  warnIf = cond: msg: if cond then warn msg else x: x;
  warnIfNot = cond: msg: if cond then x: x else warn msg;
  throwIf = cond: msg: if cond then builtins.throw msg else x: x;
  throwIfNot = cond: msg: if cond then x: x else builtins.throw msg;
  info = msg: builtins.trace "INFO: ${msg}";
  showWarnings = warnings: res: lib.foldr (w: x: warn w x) res warnings;

  checkListOfEnum = msg: valid: given:
    let
      unexpected = lib.subtractLists valid given;
      show = xs: builtins.concatStringsSep ", " (map toString xs);
    in
    lib.throwIfNot (unexpected == [ ])
      "${msg}: ${show unexpected} unexpected; valid ones: ${show valid}";

  mirrorFunctionArgs = f: let fArgs = functionArgs f; in g: setFunctionArgs g fArgs;
  toFunction = v: if isFunction v then v else k: v;

  toHexString = i: builtins.concatStringsSep "" (map (d: builtins.elemAt hexDigits d) (toBaseDigits 16 i));
  fromHexString = str:
    let
      lower = lib.toLower str;
      digits = lib.removePrefix "0x" lower;
    in
    (builtins.fromTOML "v=0x${digits}").v;

  # declos emulates the nixpkgs lib of this release (for `isInOldestRelease`
  # and modules that compare `lib.trivial.release`); `version` is declos's own.
  codeName = "Vicuña";
  versionSuffix = "";
  version = "0.1.0";
  isInOldestRelease = year: year <= oldestSupportedRelease;
  oldestSupportedReleaseIsAtLeast = year: year <= oldestSupportedRelease;
  revisionWithDefault = default: default;
  inNixShell = builtins.getEnv "IN_NIX_SHELL" != "";
  inPureEvalMode = !(builtins ? currentSystem);
}
