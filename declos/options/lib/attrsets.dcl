# lib.attrsets: building, querying, mapping, filtering and merging attribute sets.
#
# Laziness as in nixpkgs: `mapAttrs`-style functions never force values,
# `attrByPath` forces only the sets along the path, `recursiveUpdate` only
# the values that exist on both sides.
{ lib }:
let
  inherit (builtins)
    attrNames attrValues catAttrs concatMap elemAt filter foldl' getAttr hasAttr head
    isAttrs isList length listToAttrs mapAttrs removeAttrs tail;

  nameValuePair = name: value: { inherit name value; };

  attrByPath = attrPath: default: set:
    let
      n = length attrPath;
      walk = i: s:
        if i == n then s
        else
          let name = elemAt attrPath i; in
          if s ? ${name} then walk (i + 1) s.${name} else default;
    in
    walk 0 set;

  hasAttrByPath = attrPath: set:
    let
      n = length attrPath;
      walk = i: s:
        i == n || (let name = elemAt attrPath i; in s ? ${name} && walk (i + 1) s.${name});
    in
    walk 0 set;

  setAttrByPath = attrPath: value:
    let
      n = length attrPath;
      build = i: if i == n then value else { ${elemAt attrPath i} = build (i + 1); };
    in
    build 0;

  mapAttrsToList = f: attrs: attrValues (mapAttrs f attrs);

  mapAttrsRecursiveCond = cond: f: set:
    let
      go = path: mapAttrs (name: value:
        if isAttrs value && cond value then go (path ++ [ name ]) value
        else f (path ++ [ name ]) value);
    in
    go [ ] set;

  genAttrs = names: f: listToAttrs (map (n: nameValuePair n (f n)) names);

  zipAttrsWithNames = names: f: sets:
    listToAttrs (map (name: { inherit name; value = f name (catAttrs name sets); }) names);

  zipAttrsWith = builtins.zipAttrsWith
    or (f: sets: zipAttrsWithNames (concatMap attrNames sets) f sets);

  recursiveUpdateUntil = pred: lhs: rhs:
    let
      go = path: zipAttrsWith (name: values:
        let here = path ++ [ name ]; in
        if length values == 1 || pred here (elemAt values 1) (head values)
        then head values
        else go here values);
    in
    go [ ] [ rhs lhs ];

  matchAttrs = pattern: attrs:
    assert isAttrs pattern;
    lib.all (x: x) (attrValues (zipAttrsWithNames (attrNames pattern) (name: values:
      let
        pat = head values;
        val = elemAt values 1;
      in
      if length values == 1 then false
      else if isAttrs pat then isAttrs val && matchAttrs pat val
      else pat == val) [ pattern attrs ]));

  cartesianProduct = attrsOfLists:
    foldl' (acc: name: concatMap (partial: map (v: partial // { ${name} = v; }) attrsOfLists.${name}) acc)
      [ { } ] (attrNames attrsOfLists);

  isDerivation = value: value.type or null == "derivation";

  getOutput = output: pkg:
    if !(pkg ? outputSpecified) || !pkg.outputSpecified
    then pkg.${output} or pkg.out or pkg
    else pkg;

  getFirstOutput = candidates: pkg:
    let
      outputs = pkg.outputs or [ "out" ];
      found = lib.findFirst (o: lib.elem o outputs) "out" candidates;
    in
    if pkg.outputSpecified or false then pkg else pkg.${found} or pkg;

  mergeAttrsList = list:
    let
      # Merge pairwise, halving the list each round: O(n log n) instead of O(n^2).
      merge = xs:
        let n = length xs; in
        if n == 0 then { }
        else if n == 1 then head xs
        else
          let half = n / 2; in
          merge (lib.sublist 0 half xs) // merge (lib.sublist half (n - half) xs);
    in
    merge list;

  updateManyAttrsByPath = updates: value:
    let
      go = depth: hasValue: value: updates:
        let
          here = lib.partition (u: length u.path == depth) updates;
          nested = builtins.groupBy (u: elemAt u.path depth) here.wrong;
          base =
            if here.wrong == [ ] then
              (if hasValue then value
               else throw ("updateManyAttrsByPath: Path '${showAttrPath (head here.right).path}' does "
                 + "not exist in the expression being updated, there's no value to update"))
            else if !hasValue || isAttrs value then
              (if hasValue then value else { })
              // mapAttrs (name: go (depth + 1) (hasValue && value ? ${name}) (value.${name} or null)) nested
            else
              let p = (head here.wrong).path; in
              throw ("updateManyAttrsByPath: Path '${showAttrPath p}' needs to be updated, but path '"
                + "${showAttrPath (lib.take depth p)}' of the expression being updated is not an attribute set");
        in
        foldl' (acc: u: u.update acc) base here.right;
    in
    go 0 true value updates;

  showAttrPath = path:
    if path == [ ] then "<root attribute path>"
    else builtins.concatStringsSep "." (map lib.strings.escapeNixIdentifier path);
in
{
  inherit (builtins)
    attrNames attrValues catAttrs getAttr hasAttr intersectAttrs isAttrs listToAttrs
    mapAttrs removeAttrs;
  inherit nameValuePair attrByPath hasAttrByPath setAttrByPath mapAttrsToList
    mapAttrsRecursiveCond genAttrs zipAttrsWithNames zipAttrsWith recursiveUpdateUntil
    matchAttrs cartesianProduct isDerivation getOutput getFirstOutput mergeAttrsList
    updateManyAttrsByPath showAttrPath;

  getAttrFromPath = attrPath: set:
    attrByPath attrPath (builtins.throw "cannot find attribute '${builtins.concatStringsSep "." attrPath}'") set;

  longestValidPathPrefix = attrPath: v:
    let
      n = length attrPath;
      walk = i: s:
        if i == n then attrPath
        else
          let name = elemAt attrPath i; in
          if isAttrs s && s ? ${name} then walk (i + 1) s.${name} else lib.take i attrPath;
    in
    walk 0 v;

  attrVals = names: set: map (name: set.${name}) names;
  getAttrs = names: attrs: genAttrs names (name: attrs.${name});

  filterAttrs = pred: set:
    removeAttrs set (filter (name: !pred name set.${name}) (attrNames set));

  filterAttrsRecursive = pred: set:
    listToAttrs (concatMap (name:
      let v = set.${name}; in
      if pred name v
      then [ (nameValuePair name (if isAttrs v then lib.filterAttrsRecursive pred v else v)) ]
      else [ ]) (attrNames set));

  foldlAttrs = f: init: set: foldl' (acc: name: f acc name set.${name}) init (attrNames set);

  foldAttrs = op: nul: listOfAttrs:
    lib.foldr (set: acc:
      lib.foldr (name: o: o // { ${name} = op set.${name} (acc.${name} or nul); }) acc (attrNames set))
      { } listOfAttrs;

  collect = pred: attrs:
    if pred attrs then [ attrs ]
    else if isAttrs attrs then concatMap (lib.collect pred) (attrValues attrs)
    else [ ];

  cartesianProductOfSets = cartesianProduct;
  mapCartesianProduct = f: attrsOfLists: map f (cartesianProduct attrsOfLists);

  mapAttrs' = f: set: listToAttrs (map (name: f name set.${name}) (attrNames set));
  concatMapAttrs = f: set: mergeAttrsList (attrValues (mapAttrs f set));
  attrsToList = mapAttrsToList nameValuePair;
  mapAttrsRecursive = f: set: mapAttrsRecursiveCond (as: true) f set;

  optionalAttrs = cond: as: if cond then as else { };
  zipWithNames = zipAttrsWithNames;
  zipAttrs = zipAttrsWith (name: values: values);
  recursiveUpdate = lhs: rhs:
    recursiveUpdateUntil (path: l: r: !(isAttrs l && isAttrs r)) lhs rhs;

  overrideExisting = old: new: mapAttrs (name: value: new.${name} or value) old;

  unionOfDisjoint = x: y:
    let
      common = builtins.intersectAttrs x y;
      names = builtins.concatStringsSep " " (attrNames common);
      collisions = mapAttrs (name: v:
        builtins.throw "unionOfDisjoint: collision on ${name}; complete list: ${names}") common;
    in
    x // y // collisions;

  toDerivation = path:
    let
      path' = builtins.storePath path;
      res = { type = "derivation"; name = lib.sanitizeDerivationName (builtins.substring 33 (-1) (baseNameOf path')); outPath = path'; outputs = [ "out" ]; out = res; outputName = "out"; };
    in
    res;

  getBin = getOutput "bin";
  getLib = getOutput "lib";
  getDev = getOutput "dev";
  getMan = getOutput "man";
  getInclude = getFirstOutput [ "include" "dev" "out" ];
  chooseDevOutputs = map (getOutput "dev");

  recurseIntoAttrs = attrs: attrs // { recurseForDerivations = true; };
  dontRecurseIntoAttrs = attrs: attrs // { recurseForDerivations = false; };
}
