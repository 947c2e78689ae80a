# lib.lists: folds, indexing, searching, sorting and set-like operations on lists.
#
# Folds are strict where nixpkgs' are (`foldl'` forces the accumulator) and
# lazy where nixpkgs' are (`foldr` only forces what `op` asks for);
# `findFirst` stops calling the predicate at the first match.
{ lib }:
let
  inherit (builtins)
    concatMap elem elemAt filter foldl' genList head isList length sort tail;

  foldr = op: nul: list:
    let
      n = length list;
      go = i: if i == n then nul else op (elemAt list i) (go (i + 1));
    in
    go 0;

  foldl = op: nul: list:
    let go = i: if i == -1 then nul else op (go (i - 1)) (elemAt list i); in
    go (length list - 1);

  sublist = start: count: list:
    let
      len = length list;
      n = if start >= len then 0 else if start + count > len then len - start else count;
    in
    genList (i: elemAt list (i + start)) n;

  take = count: sublist 0 count;
  drop = count: list: sublist count (length list) list;

  range = first: last: if first > last then [ ] else genList (n: first + n) (last - first + 1);

  reverseList = xs: let n = length xs; in genList (i: elemAt xs (n - i - 1)) n;

  findFirstIndex = pred: default: list:
    let
      # Negative while searching (-1 - i for i elements seen), the index once found.
      r = foldl' (acc: x: if acc < 0 then (if pred x then -acc - 1 else acc - 1) else acc) (-1) list;
    in
    if r < 0 then default else r;

  compareLists = cmp: a: b:
    if a == [ ] then (if b == [ ] then 0 else -1)
    else if b == [ ] then 1
    else
      let rel = cmp (head a) (head b); in
      if rel == 0 then compareLists cmp (tail a) (tail b) else rel;

  zipListsWith = f: fst: snd:
    genList (n: f (elemAt fst n) (elemAt snd n)) (lib.min (length fst) (length snd));

  unique = foldl' (acc: e: if elem e acc then acc else acc ++ [ e ]) [ ];

  listDfs = stopOnCycles: before: list:
    let
      dfs' = us: visited: rest:
        let
          c = filter (x: before x us) visited;
          b = builtins.partition (x: before x us) rest;
        in
        if stopOnCycles && length c > 0 then { cycle = us; loops = c; inherit visited rest; }
        else if length b.right == 0 then { minimal = us; inherit visited rest; }
        else dfs' (head b.right) ([ us ] ++ visited) (tail b.right ++ b.wrong);
    in
    dfs' (head list) [ ] (tail list);

  toposort = before: list:
    let
      dfsthis = listDfs true before list;
      toporest = toposort before (dfsthis.visited ++ dfsthis.rest);
    in
    if length list < 2 then { result = list; }
    else if dfsthis ? cycle then
      { cycle = reverseList ([ dfsthis.cycle ] ++ dfsthis.visited); inherit (dfsthis) loops; }
    else if toporest ? cycle then toporest
    else { result = [ dfsthis.minimal ] ++ toporest.result; };

  hasPrefix = list1: list2: take (length list1) list2 == list1;
in
{
  inherit (builtins)
    all any concatLists concatMap elem elemAt filter genList head isList length map
    partition sort tail;
  inherit foldr foldl sublist take drop range reverseList findFirstIndex compareLists
    zipListsWith unique listDfs toposort hasPrefix;

  singleton = x: [ x ];
  forEach = xs: f: map f xs;
  fold = foldr;
  foldl' = op: acc: list: builtins.seq acc (foldl' op acc list);

  imap0 = f: list: genList (n: f n (elemAt list n)) (length list);
  imap1 = f: list: genList (n: f (n + 1) (elemAt list n)) (length list);
  ifilter0 = ipred: input:
    map (i: elemAt input i) (filter (i: ipred i (elemAt input i)) (range 0 (length input - 1)));

  flatten = x: if isList x then concatMap (y: lib.lists.flatten y) x else [ x ];
  remove = e: filter (x: x != e);

  findSingle = pred: default: multiple: list:
    let
      found = filter pred list;
      n = length found;
    in
    if n == 0 then default else if n != 1 then multiple else head found;

  findFirst = pred: default: list:
    let i = findFirstIndex pred null list; in
    if i == null then default else elemAt list i;

  count = pred: foldl' (c: x: if pred x then c + 1 else c) 0;

  optional = cond: elem: if cond then [ elem ] else [ ];
  optionals = cond: elems: if cond then elems else [ ];
  toList = x: if isList x then x else [ x ];
  replicate = n: elem: genList (_: elem) n;

  groupBy = builtins.groupBy or (pred: foldl' (acc: x:
    let key = pred x; in acc // { ${key} = (acc.${key} or [ ]) ++ [ x ]; }) { });
  groupBy' = op: nul: pred: list:
    builtins.mapAttrs (name: foldl op nul) (lib.lists.groupBy pred list);

  zipLists = zipListsWith (fst: snd: { inherit fst snd; });

  sortOn = f: list:
    map (p: elemAt p 1) (sort (a: b: head a < head b) (map (x: [ (f x) x ]) list));

  naturalSort = list:
    let
      # "a10b" -> [ "a" 10 "b" ]: digit runs compare as numbers.
      vectorise = s: map (x: if isList x then lib.toInt (head x) else x) (builtins.split "(0|[1-9][0-9]*)" s);
      less = a: b: compareLists lib.compare (head a) (head b) < 0;
    in
    map (p: elemAt p 1) (sort less (map (x: [ (vectorise x) x ]) list));

  dropEnd = n: xs: take (lib.max 0 (length xs - n)) xs;
  takeEnd = n: xs: drop (lib.max 0 (length xs - n)) xs;

  removePrefix = list1: list2:
    if hasPrefix list1 list2 then drop (length list1) list2
    else throw "lib.lists.removePrefix: First argument is not a list prefix of the second argument";

  commonPrefix = list1: list2:
    let
      n = lib.min (length list1) (length list2);
      i = findFirstIndex (i: elemAt list1 i != elemAt list2 i) n (range 0 (n - 1));
    in
    take i list1;

  last = list:
    assert lib.assertMsg (list != [ ]) "lists.last: list must not be empty!";
    elemAt list (length list - 1);

  init = list:
    assert lib.assertMsg (list != [ ]) "lists.init: list must not be empty!";
    take (length list - 1) list;

  crossLists = f: foldl (fs: args: concatMap (f: map f args) fs) [ f ];

  allUnique = list: length (unique list) == length list;
  uniqueStrings = list: builtins.attrNames (builtins.groupBy (x: x) list);

  intersectLists = e: filter (x: elem x e);
  subtractLists = e: filter (x: !(elem x e));
  mutuallyExclusive = a: b: length a == 0 || !(builtins.any (x: elem x a) b);
}
