# `import <declos/lib>`: the `lib` attrset handed to modules, with nixpkgs
# lib's names and behaviour.
#
# Each family is a file `{ lib }: { … }`; they are tied together by a fixed
# point (`makeExtensible`), so a family reaches the others through `lib.*`
# and `lib.extend` works as in nixpkgs.  The top level re-exports the
# commonly used names of each family.  Attribute *names* of `lib` never depend
# on `lib` itself (only on builtins.pathExists), so `with lib;` and
# `lib.foo` never force the fixed point's values.
let
  inherit (import ./fixed-points.dcl { lib = null; }) makeExtensible;

  # A set with these names, for intersectAttrs.
  names = list: builtins.listToAttrs (map (name: { inherit name; value = null; }) list);

  lib = makeExtensible (self:
    let
      callLibs = file: import file { lib = self; };

      # ---- module system (issue 4): maintained separately in
      # modules.dcl / options.dcl / types.dcl, used when present. ----
      optionalFamily = file: if builtins.pathExists file then callLibs file else { };
      modules = optionalFamily ./modules.dcl;
      options = optionalFamily ./options.dcl;
      types = optionalFamily ./types.dcl;
      moduleSystemNames = names [
        # modules
        "evalModules" "setDefaultModuleLocation" "unifyModuleSyntax"
        "applyModuleArgsIfFunction" "mergeModules" "mergeModules'" "mergeOptionDecls"
        "evalOptionValue" "mergeDefinitions" "pushDownProperties" "dischargeProperties"
        "filterOverrides" "sortProperties" "fixupOptionType" "mkIf" "mkAssert" "mkMerge"
        "mkOverride" "mkOptionDefault" "mkDefault" "mkImageMediaOverride" "mkForce"
        "mkVMOverride" "mkFixStrictness" "mkOrder" "mkBefore" "mkAfter" "mkAliasDefinitions"
        "mkAliasAndWrapDefinitions" "fixMergeModules" "mkRemovedOptionModule"
        "mkRenamedOptionModule" "mkRenamedOptionModuleWith" "mkMergedOptionModule"
        "mkChangedOptionModule" "mkAliasOptionModule" "mkAliasOptionModuleMD"
        "mkDerivedConfig" "doRename" "mkDefinition" "importApply"
        # options
        "isOption" "mkEnableOption" "mkSinkUndeclaredOptions" "mergeDefaultOption"
        "mergeOneOption" "mergeEqualOption" "mergeUniqueOption" "getValues" "getFiles"
        "optionAttrSetToDocList" "optionAttrSetToDocList'" "scrubOptionValue"
        "literalExpression" "literalExample" "literalMD" "mdDoc" "showOption"
        "showOptionWithDefLocs" "showFiles" "unknownModule" "mkOption" "mkPackageOption"
        "mkPackageOptionMD"
        # types
        "isType" "setType" "defaultTypeMerge" "defaultFunctor" "isOptionType"
        "mkOptionType"
      ];
      moduleSystem = builtins.intersectAttrs moduleSystemNames (modules // options // types);
      # ---- end of module system ----
    in
    {
      trivial = callLibs ./trivial.dcl;
      fixedPoints = callLibs ./fixed-points.dcl;
      attrsets = callLibs ./attrsets.dcl;
      lists = callLibs ./lists.dcl;
      strings = callLibs ./strings.dcl;
      customisation = callLibs ./customisation.dcl;
      meta = callLibs ./meta.dcl;
      versions = callLibs ./versions.dcl;
      generators = callLibs ./generators.dcl;
      asserts = callLibs ./asserts.dcl;
      debug = callLibs ./debug.dcl;
      path = callLibs ./path.dcl;
      fileset = callLibs ./fileset.dcl;
      gvariant = callLibs ./gvariant.dcl;
      inherit modules options types;

      inherit (builtins)
        add addErrorContext attrNames concatLists deepSeq elem elemAt genericClosure
        genList getAttr hasAttr head isAttrs isBool isInt isList isPath isString length
        lessThan listToAttrs pathExists readFile replaceStrings seq stringLength sub
        substring tail trace;
      inherit (self.trivial)
        id const pipe concat or and xor bitAnd bitOr bitXor bitNot boolToString boolToYesNo
        mergeAttrs flip defaultTo mapNullable inNixShell isFloat min max importJSON
        importTOML warn warnIf warnIfNot throwIf throwIfNot checkListOfEnum info
        showWarnings version isInOldestRelease oldestSupportedReleaseIsAtLeast mod compare
        splitByAndCompare functionArgs setFunctionArgs isFunction toFunction
        mirrorFunctionArgs fromHexString toHexString toBaseDigits inPureEvalMode;
      inherit (self.fixedPoints)
        fix fix' converge extends composeExtensions composeManyExtensions makeExtensible
        makeExtensibleWithCustomName toExtension;
      inherit (self.attrsets)
        attrByPath hasAttrByPath setAttrByPath getAttrFromPath attrVals attrValues getAttrs
        catAttrs filterAttrs filterAttrsRecursive foldlAttrs foldAttrs collect nameValuePair
        mapAttrs mapAttrs' mapAttrsToList attrsToList concatMapAttrs mapAttrsRecursive
        mapAttrsRecursiveCond genAttrs isDerivation toDerivation optionalAttrs
        zipAttrsWithNames zipAttrsWith zipAttrs recursiveUpdateUntil recursiveUpdate
        matchAttrs mergeAttrsList overrideExisting showAttrPath getOutput getFirstOutput
        getBin getLib getDev getInclude getMan chooseDevOutputs zipWithNames
        recurseIntoAttrs dontRecurseIntoAttrs cartesianProduct cartesianProductOfSets
        mapCartesianProduct updateManyAttrsByPath unionOfDisjoint longestValidPathPrefix
        intersectAttrs removeAttrs;
      inherit (self.lists)
        singleton forEach map foldr fold foldl foldl' imap0 imap1 filter ifilter0 concatMap
        flatten remove findSingle findFirst findFirstIndex any all count optional optionals
        toList range replicate partition zipListsWith zipLists reverseList listDfs toposort
        sort sortOn naturalSort compareLists take drop dropEnd takeEnd sublist last init
        crossLists unique uniqueStrings allUnique intersectLists subtractLists
        mutuallyExclusive groupBy groupBy';
      inherit (self.strings)
        concatStrings concatMapStrings concatImapStrings intersperse concatStringsSep
        concatMapStringsSep concatImapStringsSep concatLines makeSearchPath
        makeSearchPathOutput makeLibraryPath makeIncludePath makeBinPath optionalString
        hasInfix hasPrefix hasSuffix stringToCharacters stringAsChars escape escapeShellArg
        escapeShellArgs isStorePath isStringLike isValidPosixName toShellVar toShellVars
        trim trimWith escapeRegex escapeXML escapeNixString escapeNixIdentifier replaceChars
        lowerChars upperChars toLower toUpper toSentenceCase addContextFrom splitString
        removePrefix removeSuffix versionOlder versionAtLeast getName getVersion match split
        cmakeOptionType cmakeBool cmakeFeature mesonOption mesonBool mesonEnable nameFromURL
        enableFeature enableFeatureAs withFeature withFeatureAs fixedWidthString
        fixedWidthNumber toInt toIntBase10 fileContents normalizePath
        sanitizeDerivationName floatToString;
      inherit (self.customisation)
        overrideDerivation makeOverridable callPackageWith callPackagesWith extendDerivation
        makeScope;
      inherit (self.meta)
        addMetaAttrs dontDistribute setName updateName appendToName mapDerivationAttrset
        setPrio lowPrio lowPrioSet hiPrio hiPrioSet;
      inherit (self.versions) splitVersion;
      inherit (self.asserts) assertMsg assertOneOf;
      inherit (self.debug)
        traceIf traceVal traceValFn traceSeq traceSeqN traceValSeq traceValSeqFn
        traceValSeqN traceValSeqNFn traceFnSeqN runTests testAllTrue;
    } // moduleSystem);
in
lib
