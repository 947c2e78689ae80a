# lib.customisation: overridable function results and auto-called packages
# (simple versions: no derivation splicing).
{ lib }:
let
  inherit (builtins) attrNames intersectAttrs isAttrs removeAttrs;
  inherit (lib) functionArgs isFunction setFunctionArgs mirrorFunctionArgs;

  overrideDerivation = drv: f:
    let newDrv = derivation (drv.drvAttrs // f drv); in
    lib.flip (lib.extendDerivation (builtins.seq drv.drvPath true)) newDrv ({
      meta = drv.meta or { };
      passthru = if drv ? passthru then drv.passthru else { };
    } // (drv.passthru or { }));

  makeOverridable = f:
    let mirror = mirrorFunctionArgs f; in
    mirror (origArgs:
      let
        result = f origArgs;
        withArgs = newArgs: origArgs // (if isFunction newArgs then newArgs origArgs else newArgs);
        override = mirror (newArgs: makeOverridable f (withArgs newArgs));
        overrideResult = g: makeOverridable (mirror (args: g (f args))) origArgs;
      in
      if isAttrs result then
        result // {
          inherit override;
          overrideDerivation = fdrv: overrideResult (x: overrideDerivation x fdrv);
          ${if result ? overrideAttrs then "overrideAttrs" else null} = fdrv:
            overrideResult (x: x.overrideAttrs fdrv);
        }
      else if isFunction result then
        setFunctionArgs result (functionArgs result) // { inherit override; }
      else result);

  callPackageWith = autoArgs: fn: args:
    let
      f = if isFunction fn then fn else import fn;
      fargs = functionArgs f;
      allArgs = intersectAttrs fargs autoArgs // args;
      missing = lib.filterAttrs (name: hasDefault: !hasDefault) (removeAttrs fargs (attrNames allArgs));
      name = builtins.head (attrNames missing);
      pos = builtins.unsafeGetAttrPos name fargs;
      where = if pos == null then "<unknown location>" else "${pos.file}:${toString pos.line}";
    in
    if missing == { } then makeOverridable f allArgs
    else abort "lib.customisation.callPackageWith: Function called without required argument \"${name}\" at ${where}";

  callPackagesWith = autoArgs: fn: args:
    let
      f = if isFunction fn then fn else import fn;
      auto = intersectAttrs (functionArgs f) autoArgs;
      mirror = mirrorFunctionArgs f;
      origArgs = auto // args;
      pkgs = f origArgs;
      mkAttrOverridable = name: _: makeOverridable (mirror (newArgs: (f newArgs).${name})) origArgs;
    in
    if lib.isDerivation pkgs
    then throw "function `callPackages` was called on a *single* derivation \"${pkgs.name or "<unknown-name>"}\"; did you mean to use `callPackage` instead?"
    else builtins.mapAttrs mkAttrOverridable pkgs;

  extendDerivation = condition: passthru: drv:
    let
      outputs = drv.outputs or [ "out" ];
      common = drv // passthru // (lib.listToAttrs (map (o: lib.nameValuePair o (output o)) outputs))
        // { all = map (o: output o) outputs; };
      output = o: drv.${o} // passthru // {
        inherit (drv.${o}) type outputName;
        outputSpecified = true;
        drvPath = assert condition; drv.${o}.drvPath;
        outPath = assert condition; drv.${o}.outPath;
      };
    in
    common // {
      drvPath = assert condition; drv.drvPath;
      outPath = assert condition; drv.outPath;
    };

  makeScope = newScope: f:
    let
      self = f self // {
        newScope = scope: newScope (self // scope);
        callPackage = self.newScope { };
        overrideScope = g: makeScope newScope (lib.fixedPoints.extends g f);
        packages = f;
      };
    in
    self;
in
{
  inherit overrideDerivation makeOverridable callPackageWith callPackagesWith extendDerivation
    makeScope;
}
