# runTests-style suite for declos' lib (nixpkgs lib/tests/misc.nix style).
# Evaluates to the list of failed tests: `[ ]` on success.  Run by
# test_lib.py under declos and, when installed, under real Nix.
{ lib }:
let
  t = expr: expected: { inherit expr expected; };
  fails = x: !(builtins.tryEval x).success;
in
lib.runTests {
  # trivial
  testId = t (lib.id 1) 1;
  testConst = t (lib.const 1 2) 1;
  testFlip = t (lib.flip lib.concat [ 1 ] [ 2 ]) [ 2 1 ];
  testPipe = t (lib.pipe 2 [ (x: x + 2) (x: x * 2) ]) 8;
  testPipeEmpty = t (lib.pipe 2 [ ]) 2;
  testXor = t (map (p: lib.xor (builtins.head p) (builtins.elemAt p 1)) [ [ true true ] [ true false ] [ false false ] ]) [ false true false ];
  testBoolToString = t (map lib.boolToString [ true false ]) [ "true" "false" ];
  testMod = t [ (lib.mod 11 10) (lib.mod (-11) 10) (lib.mod 1 10) ] [ 1 (-1) 1 ];
  testCompare = t [ (lib.compare 1 2) (lib.compare 2 2) (lib.compare "b" "a") ] [ (-1) 0 1 ];
  testSplitByAndCompare = t
    (builtins.sort (a: b: lib.splitByAndCompare (lib.hasPrefix "foo") lib.compare lib.compare a b < 0) [ "b" "fooz" "a" "fooa" ])
    [ "fooa" "fooz" "a" "b" ];
  testMinMax = t [ (lib.min 1 2) (lib.max 1 2) ] [ 1 2 ];
  testBitNot = t (lib.bitNot 0) (-1);
  testToHexString = t [ (lib.toHexString 0) (lib.toHexString 250) (lib.toHexString 4095) ] [ "0" "FA" "FFF" ];
  testFromHexString = t [ (lib.fromHexString "FF") (lib.fromHexString "0x10") ] [ 255 16 ];
  testToBaseDigits = t [ (lib.toBaseDigits 2 6) (lib.toBaseDigits 10 0) ] [ [ 1 1 0 ] [ 0 ] ];
  testFunctionArgs = t (lib.functionArgs (lib.setFunctionArgs (x: x) { a = true; })) { a = true; };
  testFunctionArgsFunctor = t (lib.functionArgs { __functor = self: { a, b ? 1 }: a; }) { a = false; b = true; };
  testIsFunctionFunctor = t [ (lib.isFunction { __functor = s: x: x; }) (lib.isFunction { }) (lib.isFunction (x: x)) ] [ true false true ];
  testToFunction = t [ (lib.toFunction 1 2) (lib.toFunction (x: x + 1) 2) ] [ 1 3 ];
  testMirrorFunctionArgs = t (lib.functionArgs (lib.mirrorFunctionArgs ({ a, b ? 2 }: a) (x: x))) { a = false; b = true; };
  testThrowIfNot = t [ (lib.throwIfNot true "no" 1) (fails (lib.throwIfNot false "no" 1)) (fails (lib.throwIf true "no" 1)) ] [ 1 true true ];
  testCheckListOfEnum = t [ (lib.checkListOfEnum "x" [ 1 2 ] [ 1 ] true) (fails (lib.checkListOfEnum "x" [ 1 2 ] [ 3 ] true)) ] [ true true ];
  testDefaultTo = t [ (lib.defaultTo 1 null) (lib.defaultTo 1 2) ] [ 1 2 ];
  testMapNullable = t [ (lib.mapNullable (x: x + 1) null) (lib.mapNullable (x: x + 1) 1) ] [ null 2 ];
  testIsInOldestRelease = t (lib.isInOldestRelease 2305) true;

  # fixed points
  testFix = t (lib.fix (self: { a = 1; b = self.a + 1; })).b 2;
  testExtends = t ((lib.fix (lib.extends (final: prev: { b = prev.a + 10; c = final.b; }) (self: { a = 1; b = 2; }))).c) 11;
  testComposeExtensions = t
    (lib.fix (lib.extends (lib.composeExtensions (f: p: { x = p.x + 1; }) (f: p: { x = p.x * 2; })) (s: { x = 1; }))).x 4;
  testComposeMany = t
    (lib.fix (lib.extends (lib.composeManyExtensions [ (f: p: { x = p.x + 1; }) (f: p: { x = p.x * 3; }) ]) (s: { x = 1; }))).x 6;
  testMakeExtensible = t ((lib.makeExtensible (self: { a = 1; b = self.a; })).extend (f: p: { a = 5; })).b 5;
  testLibExtend = t ((lib.extend (f: p: { myFn = x: f.id x; })).myFn 3) 3;
  testConverge = t (lib.converge (x: if x > 5 then x else x + 1) 0) 6;

  # attrsets
  testAttrByPath = t [ (lib.attrByPath [ "a" "b" ] 0 { a.b = 1; }) (lib.attrByPath [ "a" "c" ] 0 { a.b = 1; }) (lib.attrByPath [ ] 0 { x = 1; }) ] [ 1 0 { x = 1; } ];
  testAttrByPathNonSet = t (lib.attrByPath [ "a" "b" ] 7 { a = 1; }) 7;
  testHasAttrByPath = t [ (lib.hasAttrByPath [ "a" "b" ] { a.b = 1; }) (lib.hasAttrByPath [ "a" "c" ] { a.b = 1; }) (lib.hasAttrByPath [ ] 5) ] [ true false true ];
  testSetAttrByPath = t (lib.setAttrByPath [ "a" "b" ] 3) { a.b = 3; };
  testGetAttrFromPath = t (lib.getAttrFromPath [ "a" "b" ] { a.b = 3; }) 3;
  testGetAttrFromPathFails = t (fails (lib.getAttrFromPath [ "x" ] { })) true;
  testLongestValidPathPrefix = t (lib.attrsets.longestValidPathPrefix [ "a" "b" "c" ] { a.b = 1; }) [ "a" "b" ];
  testAttrVals = t (lib.attrVals [ "a" "b" ] { a = 1; b = 2; c = 3; }) [ 1 2 ];
  testGetAttrs = t (lib.getAttrs [ "a" ] { a = 1; b = 2; }) { a = 1; };
  testFilterAttrs = t (lib.filterAttrs (n: v: n != "a" && v > 1) { a = 3; b = 1; c = 2; }) { c = 2; };
  testFilterAttrsRecursive = t (lib.filterAttrsRecursive (n: v: v != null) { a = null; b.c = null; b.d = 1; }) { b.d = 1; };
  testFoldlAttrs = t (lib.foldlAttrs (acc: n: v: acc // { s = acc.s + v; ns = acc.ns ++ [ n ]; }) { s = 0; ns = [ ]; } { b = 2; a = 1; }) { s = 3; ns = [ "a" "b" ]; };
  testFoldAttrs = t (lib.foldAttrs (n: a: [ n ] ++ a) [ ] [ { a = 2; } { a = 3; b = 1; } ]) { a = [ 2 3 ]; b = [ 1 ]; };
  testCollect = t (lib.collect builtins.isList { a.b = [ 1 ]; c = [ 2 ]; d = 3; }) [ [ 1 ] [ 2 ] ];
  testMapAttrs' = t (lib.mapAttrs' (n: v: lib.nameValuePair "x-${n}" (v * 2)) { a = 1; }) { x-a = 2; };
  testMapAttrsToList = t (lib.mapAttrsToList (n: v: n + v) { b = "2"; a = "1"; }) [ "a1" "b2" ];
  testAttrsToList = t (lib.attrsToList { a = 1; }) [ { name = "a"; value = 1; } ];
  testConcatMapAttrs = t (lib.concatMapAttrs (n: v: { ${n} = v; "${n}2" = v + 1; }) { a = 1; b = 5; }) { a = 1; a2 = 2; b = 5; b2 = 6; };
  testMapAttrsRecursive = t (lib.mapAttrsRecursive (p: v: lib.concatStringsSep "." p + "=" + toString v) { a.b = 1; c = 2; }) { a.b = "a.b=1"; c = "c=2"; };
  testMapAttrsRecursiveCond = t (lib.mapAttrsRecursiveCond (as: !(as ? stop)) (p: v: 0) { a = { stop = 1; }; b.c = 1; }) { a = 0; b.c = 0; };
  testGenAttrs = t (lib.genAttrs [ "a" "b" ] (n: n + n)) { a = "aa"; b = "bb"; };
  testIsDerivation = t [ (lib.isDerivation { type = "derivation"; }) (lib.isDerivation { }) (lib.isDerivation 1) ] [ true false false ];
  testOptionalAttrs = t [ (lib.optionalAttrs true { a = 1; }) (lib.optionalAttrs false { a = 1; }) ] [ { a = 1; } { } ];
  testZipAttrsWith = t (lib.zipAttrsWith (n: vs: vs) [ { a = 1; } { a = 2; b = 3; } ]) { a = [ 1 2 ]; b = [ 3 ]; };
  testZipAttrsWithNames = t (lib.zipAttrsWithNames [ "a" ] (n: vs: vs) [ { a = 1; } { a = 2; b = 3; } ]) { a = [ 1 2 ]; };
  testZipAttrs = t (lib.zipAttrs [ { a = 1; } { a = 2; } ]) { a = [ 1 2 ]; };
  testRecursiveUpdate = t (lib.recursiveUpdate { a.b = 1; a.c = 2; d = 1; } { a.b = 3; d.e = 1; }) { a = { b = 3; c = 2; }; d.e = 1; };
  testRecursiveUpdateUntil = t
    (lib.recursiveUpdateUntil (path: l: r: path == [ "foo" ]) { foo.bar = 1; foo.baz = 2; bar = 3; } { foo.bar = 1; foo.quz = 2; baz = 4; })
    { foo.bar = 1; foo.quz = 2; bar = 3; baz = 4; };
  testRecursiveUpdateLazy = t (builtins.attrNames (lib.recursiveUpdate { a = throw "x"; } { b = throw "y"; })) [ "a" "b" ];
  testMatchAttrs = t [ (lib.matchAttrs { a.b = 1; } { a.b = 1; a.c = 2; }) (lib.matchAttrs { a = 1; } { b = 1; }) (lib.matchAttrs { a.b = 1; } { a = 1; }) ] [ true false false ];
  testOverrideExisting = t (lib.overrideExisting { a = 1; b = 2; } { a = 3; c = 4; }) { a = 3; b = 2; };
  testShowAttrPath = t [ (lib.showAttrPath [ "a" "b c" "d" ]) (lib.showAttrPath [ ]) ] [ "a.\"b c\".d" "<root attribute path>" ];
  testCartesianProduct = t (lib.cartesianProduct { a = [ 1 2 ]; b = [ 10 20 ]; }) [ { a = 1; b = 10; } { a = 1; b = 20; } { a = 2; b = 10; } { a = 2; b = 20; } ];
  testCartesianProductEmpty = t [ (lib.cartesianProduct { }) (lib.cartesianProduct { a = [ ]; }) ] [ [ { } ] [ ] ];
  testMapCartesianProduct = t (lib.mapCartesianProduct ({ a, b }: a + b) { a = [ 1 2 ]; b = [ 10 ]; }) [ 11 12 ];
  testMergeAttrsList = t (lib.mergeAttrsList [ { a = 1; } { b = 2; } { a = 3; c = 4; } { d = 5; } { c = 6; } ]) { a = 3; b = 2; c = 6; d = 5; };
  testMergeAttrsListEmpty = t (lib.mergeAttrsList [ ]) { };
  testUpdateManyAttrsByPath = t
    (lib.updateManyAttrsByPath [ { path = [ "a" "b" ]; update = old: old + 1; } { path = [ "c" ]; update = old: 10; } { path = [ ]; update = old: old // { d = 1; }; } ] { a.b = 1; })
    { a.b = 2; c = 10; d = 1; };
  testUpdateManyAttrsByPathOrder = t
    (lib.updateManyAttrsByPath [ { path = [ "a" ]; update = old: old + 1; } { path = [ "a" ]; update = old: old * 10; } ] { a = 1; })
    { a = 20; };
  testUpdateManyAttrsByPathMissing = t (fails (lib.updateManyAttrsByPath [ { path = [ "a" ]; update = old: old + 1; } ] { }).a) true;
  testUpdateManyAttrsByPathNotSet = t (fails (lib.updateManyAttrsByPath [ { path = [ "a" "b" ]; update = old: 1; } ] { a = 1; }).a) true;
  testUpdateManyAttrsByPathNested = t
    (lib.updateManyAttrsByPath [ { path = [ "a" "b" ]; update = old: { d = old.c; }; } { path = [ "a" "b" "c" ]; update = old: old + 1; } { path = [ "x" "y" ]; update = old: "xy"; } ] { a.b.c = 0; })
    { a.b.d = 1; x.y = "xy"; };
  testUnionOfDisjoint = t [ (lib.attrsets.unionOfDisjoint { a = 1; } { b = 2; }) (fails (lib.attrsets.unionOfDisjoint { a = 1; } { a = 2; }).a) ] [ { a = 1; b = 2; } true ];
  testGetOutput = t [ (lib.getBin { out = 1; bin = 2; }) (lib.getDev { out = 1; }) (lib.getLib { outputSpecified = true; lib = 3; }) ] [ 2 1 { outputSpecified = true; lib = 3; } ];
  testRecurseIntoAttrs = t (lib.recurseIntoAttrs { }) { recurseForDerivations = true; };

  # lists
  testSingleton = t (lib.singleton 1) [ 1 ];
  testForEach = t (lib.forEach [ 1 2 ] (x: x + 1)) [ 2 3 ];
  testFoldr = t (lib.foldr (x: acc: "(${toString x} ${acc})") "n" [ 1 2 3 ]) "(1 (2 (3 n)))";
  testFoldl = t (lib.foldl (acc: x: "(${acc} ${toString x})") "n" [ 1 2 3 ]) "(((n 1) 2) 3)";
  testFoldl' = t (lib.foldl' (acc: x: acc + x) 0 [ 1 2 3 ]) 6;
  testFoldl'Strict = t (fails (lib.foldl' (acc: x: x) (throw "a") [ ])) true;
  testFoldrLazy = t (lib.foldr (x: acc: x) 0 [ 1 (throw "x") ]) 1;
  testImap = t [ (lib.imap0 (i: v: i * v) [ 1 2 3 ]) (lib.imap1 (i: v: i * v) [ 1 2 3 ]) ] [ [ 0 2 6 ] [ 1 4 9 ] ];
  testIfilter0 = t (lib.ifilter0 (i: v: i == 0 || v > 2) [ 1 2 3 ]) [ 1 3 ];
  testConcatMap = t (lib.concatMap (x: [ x x ]) [ 1 2 ]) [ 1 1 2 2 ];
  testFlatten = t [ (lib.flatten [ 1 [ 2 [ 3 ] [ ] ] 4 ]) (lib.flatten 1) ] [ [ 1 2 3 4 ] [ 1 ] ];
  testRemove = t (lib.remove 3 [ 1 3 4 3 ]) [ 1 4 ];
  testFindSingle = t [ (lib.findSingle (x: x == 3) "none" "multiple" [ 1 3 3 ]) (lib.findSingle (x: x == 3) "none" "multiple" [ 1 3 ]) (lib.findSingle (x: x == 3) "none" "multiple" [ 1 ]) ] [ "multiple" 3 "none" ];
  testFindFirst = t [ (lib.findFirst (x: x > 3) 7 [ 1 6 4 ]) (lib.findFirst (x: x > 9) 7 [ 1 6 4 ]) ] [ 6 7 ];
  testFindFirstLazy = t (lib.findFirst (x: x) 7 [ true (throw "x") ]) true;
  testFindFirstIndex = t [ (lib.findFirstIndex (x: x > 3) null [ 0 6 4 ]) (lib.findFirstIndex (x: x > 9) null [ 0 6 4 ]) ] [ 1 null ];
  testCount = t (lib.count (x: x == 1) [ 1 2 1 ]) 2;
  testOptional = t [ (lib.optional true 1) (lib.optional false 1) (lib.optionals true [ 1 2 ]) (lib.optionals false [ 1 ]) ] [ [ 1 ] [ ] [ 1 2 ] [ ] ];
  testToList = t [ (lib.toList [ 1 ]) (lib.toList 1) ] [ [ 1 ] [ 1 ] ];
  testRange = t [ (lib.range 2 4) (lib.range 3 2) ] [ [ 2 3 4 ] [ ] ];
  testReplicate = t (lib.replicate 3 "a") [ "a" "a" "a" ];
  testPartition = t (lib.partition (x: x > 2) [ 5 1 3 ]) { right = [ 5 3 ]; wrong = [ 1 ]; };
  testGroupBy = t (lib.groupBy (x: if x > 2 then "big" else "small") [ 1 3 2 4 ]) { big = [ 3 4 ]; small = [ 1 2 ]; };
  testGroupBy' = t (lib.groupBy' builtins.add 0 (x: if x > 2 then "big" else "small") [ 1 3 2 4 ]) { big = 7; small = 3; };
  testZipLists = t (lib.zipLists [ 1 2 ] [ "a" "b" "c" ]) [ { fst = 1; snd = "a"; } { fst = 2; snd = "b"; } ];
  testZipListsWith = t (lib.zipListsWith (a: b: a + b) [ 1 2 ] [ 10 20 30 ]) [ 11 22 ];
  testReverseList = t (lib.reverseList [ 1 2 3 ]) [ 3 2 1 ];
  testToposort = t (lib.toposort lib.hasPrefix [ "/" "/home/user" "other" "/home" ]) { result = [ "/" "/home" "/home/user" "other" ]; };
  testToposortCycle = t (lib.toposort (a: b: a < b || a == 3 && b == 1) [ 1 2 3 ]) { cycle = [ 1 3 ]; loops = [ 1 ]; };
  testToposortSingle = t (lib.toposort (a: b: true) [ 1 ]) { result = [ 1 ]; };
  testListDfs = t (lib.listDfs true lib.hasPrefix [ "/home/user" "other" "/" "/home" ]) { minimal = "/"; visited = [ "/home/user" ]; rest = [ "/home" "other" ]; };
  testSort = t (lib.sort (a: b: a < b) [ 3 1 2 ]) [ 1 2 3 ];
  testSortOn = t (lib.sortOn builtins.stringLength [ "aaa" "b" "cc" "d" ]) [ "b" "d" "cc" "aaa" ];
  testNaturalSort = t (lib.naturalSort [ "disk11" "disk8" "disk100" "disk9" ]) [ "disk8" "disk9" "disk11" "disk100" ];
  testNaturalSortVersions = t (lib.naturalSort [ "v0.2" "v0.15" "v0.0.9" ]) [ "v0.0.9" "v0.2" "v0.15" ];
  testCompareLists = t [ (lib.compareLists lib.compare [ ] [ ]) (lib.compareLists lib.compare [ ] [ 1 ]) (lib.compareLists lib.compare [ 1 2 ] [ 1 1 ]) ] [ 0 (-1) 1 ];
  testTakeDrop = t [ (lib.take 2 [ 1 2 3 ]) (lib.take 5 [ 1 ]) (lib.drop 2 [ 1 2 3 ]) (lib.drop 5 [ 1 ]) ] [ [ 1 2 ] [ 1 ] [ 3 ] [ ] ];
  testDropEnd = t [ (lib.lists.dropEnd 2 [ 1 2 3 ]) (lib.lists.dropEnd 5 [ 1 ]) (lib.lists.takeEnd 2 [ 1 2 3 ]) ] [ [ 1 ] [ ] [ 2 3 ] ];
  testSublist = t [ (lib.sublist 1 3 [ 1 2 3 4 5 ]) (lib.sublist 4 3 [ 1 2 3 4 5 ]) (lib.sublist 9 1 [ 1 ]) ] [ [ 2 3 4 ] [ 5 ] [ ] ];
  testLastInit = t [ (lib.last [ 1 2 3 ]) (lib.init [ 1 2 3 ]) (fails (lib.last [ ])) (fails (lib.init [ ])) ] [ 3 [ 1 2 ] true true ];
  testCrossLists = t (lib.crossLists (x: y: "${toString x}${toString y}") [ [ 1 2 ] [ 3 4 ] ]) [ "13" "14" "23" "24" ];
  testUnique = t (lib.unique [ 3 1 3 2 1 ]) [ 3 1 2 ];
  testAllUnique = t [ (lib.allUnique [ 1 2 ]) (lib.allUnique [ 1 1 ]) ] [ true false ];
  testIntersectLists = t (lib.intersectLists [ 1 2 3 ] [ 6 3 2 ]) [ 3 2 ];
  testSubtractLists = t (lib.subtractLists [ 3 2 ] [ 1 2 3 4 5 3 ]) [ 1 4 5 ];
  testMutuallyExclusive = t [ (lib.mutuallyExclusive [ 1 2 ] [ 3 ]) (lib.mutuallyExclusive [ 1 2 ] [ 2 ]) (lib.mutuallyExclusive [ ] [ 1 ]) ] [ true false true ];
  testListsHasPrefix = t [ (lib.lists.hasPrefix [ 1 2 ] [ 1 2 3 ]) (lib.lists.hasPrefix [ 2 ] [ 1 2 ]) ] [ true false ];
  testListsRemovePrefix = t [ (lib.lists.removePrefix [ 1 ] [ 1 2 ]) (fails (lib.lists.removePrefix [ 2 ] [ 1 2 ])) ] [ [ 2 ] true ];
  testCommonPrefix = t (lib.lists.commonPrefix [ 1 2 3 ] [ 1 2 4 ]) [ 1 2 ];

  # strings
  testConcatStrings = t (lib.concatStrings [ "a" "b" ]) "ab";
  testConcatMapStrings = t (lib.concatMapStrings (x: x + ";") [ "a" "b" ]) "a;b;";
  testConcatImapStrings = t (lib.concatImapStrings (i: x: toString i + x) [ "a" "b" ]) "1a2b";
  testConcatMapStringsSep = t (lib.concatMapStringsSep "-" (x: x + x) [ "a" "b" ]) "aa-bb";
  testConcatImapStringsSep = t (lib.concatImapStringsSep "-" (i: x: toString i + x) [ "a" "b" ]) "1a-2b";
  testConcatLines = t (lib.concatLines [ "a" "b" ]) "a\nb\n";
  testIntersperse = t [ (lib.intersperse "," [ "a" "b" "c" ]) (lib.intersperse "," [ "a" ]) ] [ [ "a" "," "b" "," "c" ] [ "a" ] ];
  testSplitString = t [ (lib.splitString "." "a.b..c") (lib.splitString "/" "") (lib.splitString "ab" "xabyab") ] [ [ "a" "b" "" "c" ] [ "" ] [ "x" "y" "" ] ];
  testHasPrefix = t [ (lib.hasPrefix "fo" "foo") (lib.hasPrefix "oo" "foo") (lib.hasPrefix "" "x") ] [ true false true ];
  testHasSuffix = t [ (lib.hasSuffix "oo" "foo") (lib.hasSuffix "fo" "foo") (lib.hasSuffix "long" "g") ] [ true false false ];
  testHasInfix = t [ (lib.hasInfix "o.b" "foo.bar") (lib.hasInfix "x" "foo") (lib.hasInfix "" "") (lib.hasInfix "a\nb" "xa\nbx") ] [ true false true true ];
  testRemovePrefix = t [ (lib.removePrefix "foo." "foo.bar") (lib.removePrefix "xx" "foo") ] [ "bar" "foo" ];
  testRemoveSuffix = t [ (lib.removeSuffix ".nix" "a.nix") (lib.removeSuffix "xx" "foo") (lib.removeSuffix "long" "g") ] [ "a" "foo" "g" ];
  testCase = t [ (lib.toUpper "abC1") (lib.toLower "ABc1") (lib.strings.toSentenceCase "hELLO wORLD") ] [ "ABC1" "abc1" "Hello world" ];
  testEscape = t (lib.escape [ "(" ")" ] "(foo)") "\\(foo\\)";
  testEscapeShellArg = t [ (lib.escapeShellArg "esc'ape") (lib.escapeShellArg "abc-1.2/x") (lib.escapeShellArg "") (lib.escapeShellArg 12) ] [ "'esc'\\''ape'" "abc-1.2/x" "''" "12" ];
  testEscapeShellArgs = t (lib.escapeShellArgs [ "one" "two three" "four'five" ]) "one 'two three' 'four'\\''five'";
  testEscapeNixString = t (lib.strings.escapeNixString "a\"b$c\n") "\"a\\\"b\\$c\\n\"";
  testEscapeNixIdentifier = t (map lib.strings.escapeNixIdentifier [ "foo" "foo-bar'" "0abc" "a b" ]) [ "foo" "foo-bar'" "\"0abc\"" "\"a b\"" ];
  testEscapeRegex = t (lib.escapeRegex "[^a-z]*") "\\[\\^a-z]\\*";
  testEscapeXML = t (lib.escapeXML ''"test" 'test' < & >'') "&quot;test&quot; &apos;test&apos; &lt; &amp; &gt;";
  testMakeSearchPath = t (lib.makeSearchPath "bin" [ "/a" null "/b" ]) "/a/bin:/b/bin";
  testMakeBinPath = t (lib.makeBinPath [ { bin = "/b"; out = "/o"; } { out = "/o2"; } "/s" ]) "/b/bin:/o2/bin:/s/bin";
  testMakeLibraryPath = t (lib.makeLibraryPath [ { lib = "/l"; } ]) "/l/lib";
  testFixedWidthString = t [ (lib.fixedWidthString 5 "0" "12") (lib.fixedWidthNumber 5 42) (fails (lib.fixedWidthString 1 "0" "12")) ] [ "00012" "00042" true ];
  testStringToCharacters = t (lib.stringToCharacters "abc") [ "a" "b" "c" ];
  testStringAsChars = t (lib.stringAsChars (c: if c == "a" then "A" else c) "abca") "AbcA";
  testTrim = t [ (lib.trim "  a b \n") (lib.trim "   ") (lib.strings.trimWith { start = true; } "  a  ") (lib.strings.trimWith { end = true; } "  a  ") ] [ "a b" "" "a  " "  a" ];
  testVersionOlder = t [ (lib.versionOlder "1.1" "1.2") (lib.versionOlder "1.2" "1.1") (lib.versionAtLeast "1.2" "1.2") (lib.versionAtLeast "1.10" "1.9") ] [ true false true true ];
  testGetNameVersion = t [ (lib.getName "hello-2.10") (lib.getVersion "hello-2.10") (lib.getName { pname = "x"; name = "y-1"; }) (lib.getVersion { name = "y-1"; }) ] [ "hello" "2.10" "x" "1" ];
  testNameFromURL = t (lib.nameFromURL "https://nixos.org/releases/nix/nix-1.7/nix-1.7-x86_64-linux.tar.bz2" "-") "nix";
  testFeatures = t [ (lib.enableFeature true "shared") (lib.enableFeature false "shared") (lib.enableFeatureAs true "x" "y") (lib.enableFeatureAs false "x" "y") (lib.withFeature true "ssl") (lib.withFeatureAs false "ssl" "z") ]
    [ "--enable-shared" "--disable-shared" "--enable-x=y" "--disable-x" "--with-ssl" "--without-ssl" ];
  testCmakeMeson = t [ (lib.cmakeBool "A" true) (lib.cmakeFeature "B" "x") (lib.cmakeOptionType "path" "C" "/x") (lib.mesonBool "d" false) (lib.mesonEnable "e" true) (lib.mesonOption "f" "g") ]
    [ "-DA:BOOL=TRUE" "-DB:STRING=x" "-DC:PATH=/x" "-Dd=false" "-De=enabled" "-Df=g" ];
  testToInt = t [ (lib.toInt "42") (lib.toInt " -3 ") (lib.toInt "0") (fails (lib.toInt "042")) (fails (lib.toInt "4.2")) (fails (lib.toInt "x")) ] [ 42 (-3) 0 true true true ];
  testToIntBase10 = t [ (lib.toIntBase10 "042") (lib.toIntBase10 "000") (lib.toIntBase10 " 7 ") (fails (lib.toIntBase10 "1a")) ] [ 42 0 7 true ];
  testIsStorePath = t [ (lib.isStorePath "${builtins.storeDir}/d945ibfx9x185xf04b890y4f9g3cbb63-python-2.7.11") (lib.isStorePath "/etc/x") (lib.isStorePath 1) ] [ true false false ];
  testIsStringLike = t [ (lib.isStringLike "a") (lib.isStringLike ./.) (lib.isStringLike { outPath = "x"; }) (lib.isStringLike 1) ] [ true true true false ];
  testIsConvertibleWithToString = t [ (lib.strings.isConvertibleWithToString [ 1 null "a" ]) (lib.strings.isConvertibleWithToString { }) ] [ true false ];
  testAddContextFrom = t (lib.addContextFrom "a" "b") "b";
  testNormalizePath = t (lib.strings.normalizePath "//a//b///c/") "/a/b/c/";
  testSanitizeDerivationName = t (map lib.strings.sanitizeDerivationName [ "good" "..foo" "a b@c" "" "-" ]) [ "good" "foo" "a-b-c" "unknown" "-" ];
  testToShellVar = t [ (lib.toShellVar "a" "x y") (lib.toShellVar "l" [ "a" "b c" ]) (lib.toShellVar "m" { k = "v w"; }) ] [ "a='x y'" "declare -a l=(a 'b c')" "declare -A m=([k]='v w')" ];
  testToShellVars = t (lib.toShellVars { a = 1; b = "x"; }) "a=1\nb=x";
  testIsValidPosixName = t (map lib.strings.isValidPosixName [ "a_1" "1a" "a-b" ]) [ true false false ];
  testStringsReplicate = t (lib.strings.replicate 3 "ab") "ababab";
  testOptionalString = t [ (lib.optionalString true "a") (lib.optionalString false "a") ] [ "a" "" ];

  # versions
  testVersions = t [ (lib.versions.major "1.2.3") (lib.versions.minor "1.2.3") (lib.versions.patch "1.2.3") (lib.versions.majorMinor "1.2.3") (lib.versions.pad 3 "1.2-rc1") (lib.splitVersion "1.2a") ]
    [ "1" "2" "3" "1.2" "1.2.0-rc1" [ "1" "2" "a" ] ];

  # asserts
  testAssertMsg = t [ (lib.assertMsg true "x") (fails (lib.assertMsg false "x")) ] [ true true ];
  testAssertOneOf = t [ (lib.assertOneOf "x" 1 [ 1 2 ]) (fails (lib.assertOneOf "x" 3 [ 1 2 ])) (fails (lib.asserts.assertEachOneOf "x" [ 1 3 ] [ 1 2 ])) ] [ true true true ];

  # generators
  testMkKeyValueDefault = t (lib.generators.mkKeyValueDefault { } ":" "f:oo" "bar") "f\\:oo:bar";
  testMkValueStringDefault = t (map (lib.generators.mkValueStringDefault { }) [ 1 "s" true false null ]) [ "1" "s" "true" "false" "null" ];
  testToKeyValue = t (lib.generators.toKeyValue { } { key = "value"; other = 12; }) "key=value\nother=12\n";
  testToKeyValueDuplicate = t (lib.generators.toKeyValue { listsAsDuplicateKeys = true; indent = " "; } { a = [ 1 2 ]; b = 3; }) " a=1\n a=2\n b=3\n";
  testToINI = t (lib.generators.toINI { } { "sec[1]" = { a = 1; }; other = { b = true; }; })
    "[other]\nb=true\n\n[sec\\[1\\]]\na=1\n";
  testToINIEmpty = t (lib.generators.toINI { } { }) "";
  testToINIWithGlobalSection = t (lib.generators.toINIWithGlobalSection { } { globalSection = { g = 1; }; sections = { s.k = "v"; }; })
    "g=1\n\n[s]\nk=v\n";
  testToINIWithGlobalSectionEmpty = t (lib.generators.toINIWithGlobalSection { } { globalSection = { }; }) "";
  testToGitINI = t (lib.generators.toGitINI { user.email = "a@b"; "remote \"origin\"".url = "x"; url."ssh://git@host".insteadOf = [ "h:" "g:" ]; core.bare = false; })
    "[core]\n\tbare = false\n\n[remote \"origin\"]\n\turl = \"x\"\n\n[url \"ssh://git@host\"]\n\tinsteadOf = \"h:\"\n\tinsteadOf = \"g:\"\n\n[user]\n\temail = \"a@b\"\n";
  testToJSONYAML = t [ (lib.generators.toJSON { } { a = [ 1 ]; }) (lib.generators.toYAML { } "x") ] [ "{\"a\":[1]}" "\"x\"" ];
  testToPretty = t (lib.generators.toPretty { } { int = 1; str = "a\"b"; ml = "a\nb\n"; list = [ null true ]; empty = [ ]; es = { }; path = /tmp; fn = x: x; fa = { a, b ? 1 }: a; drv = { type = "derivation"; name = "d"; }; "a b" = 1.5; })
    "{\n  \"a b\" = 1.5;\n  drv = <derivation d>;\n  empty = [ ];\n  es = { };\n  fa = <function, args: {a, b?}>;\n  fn = <function>;\n  int = 1;\n  list = [\n    null\n    true\n  ];\n  ml = ''\n    a\n    b\n  '';\n  path = /tmp;\n  str = \"a\\\"b\";\n}";
  testToPrettySingleLine = t (lib.generators.toPretty { multiline = false; } { a = [ 1 "x\ny" ]; b = "\${x}"; }) "{ a = [ 1 \"x\\ny\" ]; b = \"\\\${x}\"; }";
  testToPrettyAllowPretty = t (lib.generators.toPretty { allowPrettyValues = true; } { __pretty = v: "<${toString v}>"; val = 3; }) "<3>";
  testWithRecursion = t (lib.generators.toPretty { } (lib.generators.withRecursion { depthLimit = 1; throwOnDepthLimit = false; } { a.b.c = 1; }))
    "{\n  a = {\n    b = \"<unevaluated>\";\n  };\n}";
  testWithRecursionThrows = t (fails (builtins.deepSeq (lib.generators.withRecursion { depthLimit = 1; } { a.b.c = 1; }) 1)) true;

  # debug
  testTraceIfValSeq = t [ (lib.traceIf false "no" 1) (lib.traceSeq 1 2) ] [ 1 2 ];
  testRunTests = t (lib.runTests { testA = t 1 1; testB = t 1 2; notATest = t 1 2; }) [ { name = "testB"; expected = 2; result = 1; } ];
  testRunTestsSelected = t (lib.runTests { tests = [ "testB" ]; testA = t 1 2; testB = t 1 2; }) [ { name = "testB"; expected = 2; result = 1; } ];
  testTestAllTrue = t (lib.testAllTrue [ true false ]) { expr = [ true false ]; expected = [ true true ]; };

  # customisation
  testMakeOverridable = t
    (let f = lib.makeOverridable ({ a, b ? 2 }: { sum = a + b; }); in [ (f { a = 1; }).sum ((f { a = 1; }).override { b = 10; }).sum ((f { a = 1; }).override (old: { a = old.a + 5; })).sum ])
    [ 3 11 8 ];
  testMakeOverridableArgs = t (lib.functionArgs (lib.makeOverridable ({ a, b ? 2 }: a))) { a = false; b = true; };
  testCallPackageWith = t
    (let cp = lib.callPackageWith { a = 1; b = 2; c = 3; }; in [ (cp ({ a, b }: a + b) { }) (cp ({ a, d ? 4 }: a + d) { a = 10; }) ])
    [ 3 14 ];
  testCallPackageWithOverride = t (((lib.callPackageWith { a = 1; } ({ a }: { v = a; }) { }).override { a = 7; }).v) 7;

  # meta
  testMeta = t [ (lib.addMetaAttrs { x = 1; } { meta.y = 2; }) (lib.lowPrio { }) (lib.appendToName "s" { name = "p-1.0"; }) ]
    [ { meta = { x = 1; y = 2; }; } { meta.priority = 10; } { name = "p-s-1.0"; } ];

  # path
  testPathAppend = t (toString (lib.path.append /foo "bar/baz")) "/foo/bar/baz";
  testSubpathJoin = t [ (lib.path.subpath.join [ "foo" "./bar" "." ]) (lib.path.subpath.join [ ]) (lib.path.subpath.normalise "./a//b/./c/") (fails (lib.path.subpath.join [ "/x" ])) ] [ "./foo/bar" "./" "./a/b/c" true ];
  testSubpathIsValid = t (map lib.path.subpath.isValid [ "a" "" "/a" "a/../b" "..a" 1 ]) [ true false false false true false ];
}
