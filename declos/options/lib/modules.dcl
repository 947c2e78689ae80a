# The module system: evalModules and the properties mkIf, mkMerge,
# mkOverride and mkOrder (nixpkgs lib.modules semantics).
#
# Laziness is the point: properties are pushed down into attributes before
# any condition is evaluated (`pushDownProperties`), so `mkIf` conditions
# may read `config`; option values are computed only when read.
{ lib }:
let
  inherit (builtins)
    all
    any
    attrNames
    concatLists
    concatMap
    concatStringsSep
    elem
    filter
    foldl'
    functionArgs
    genericClosure
    head
    isAttrs
    isBool
    isFunction
    isList
    isPath
    isString
    length
    listToAttrs
    map
    mapAttrs
    removeAttrs
    sort
    tail
    zipAttrsWith
    ;
  inherit (lib.options)
    isOption
    mkOption
    showDefs
    showFiles
    showOption
    ;
  inherit (lib) types;

  defaultOverridePriority = 100;
  defaultOrderPriority = 1000;

  # Properties.
  mkIf = condition: content: {
    _type = "if";
    inherit condition content;
  };
  mkMerge = contents: {
    _type = "merge";
    inherit contents;
  };
  mkOverride = priority: content: {
    _type = "override";
    inherit priority content;
  };
  mkOptionDefault = mkOverride 1500;
  mkDefault = mkOverride 1000;
  mkImageMediaOverride = mkOverride 60;
  mkForce = mkOverride 50;
  mkVMOverride = mkOverride 10;
  mkOrder = priority: content: {
    _type = "order";
    inherit priority content;
  };
  mkBefore = mkOrder 500;
  mkAfter = mkOrder 1500;
  mkDefinition = args@{ file, value, ... }: args // { _type = "definition"; };
  mkFixStrictness = x: x;

  fixupOptionType =
    loc: opt:
    if opt.type.getSubModules or null == null then
      opt // { type = opt.type or types.unspecified; }
    else
      opt
      // {
        type = opt.type.substSubModules opt.options;
        options = [ ];
      };

  unknownModule = "<unknown-file>";

  # `{ _file; key; imports; options; config; disabledModules; }` from any
  # module form: a path, a function, an attrset, with or without `config`.
  unifyModuleSyntax =
    file: key: m:
    let
      addMeta = config: if m ? meta then mkMerge [ config { meta = m.meta; } ] else config;
      addFreeformType =
        config:
        if m ? freeformType then
          mkMerge [
            config
            { _module.freeformType = m.freeformType; }
          ]
        else
          config;
      known = [
        "_class"
        "_file"
        "key"
        "disabledModules"
        "imports"
        "options"
        "config"
        "meta"
        "freeformType"
      ];
    in
    if m ? config || m ? options then
      let
        badAttrs = removeAttrs m known;
      in
      if badAttrs != { } then
        throw "Module `${key}' has an unsupported attribute `${head (attrNames badAttrs)}'. This is caused by introducing a top-level `config' or `options' attribute. Add configuration attributes immediately on the top level instead, or move all of them (namely: ${toString (attrNames badAttrs)}) into the explicit `config' attribute."
      else
        {
          _file = toString m._file or file;
          _class = m._class or null;
          key = toString m.key or key;
          disabledModules = m.disabledModules or [ ];
          imports = m.imports or [ ];
          _importsPos = builtins.unsafeGetAttrPos "imports" m;
          options = m.options or { };
          config = addFreeformType (addMeta (m.config or { }));
        }
    else
      {
        _file = toString m._file or file;
        _class = m._class or null;
        key = toString m.key or key;
        disabledModules = m.disabledModules or [ ];
        imports = m.imports or [ ];
        _importsPos = builtins.unsafeGetAttrPos "imports" m;
        options = { };
        config = addFreeformType (addMeta (removeAttrs m known));
      };

  # Applies a function module to its arguments, lazily: each argument it
  # names comes from `args` (lib, config, options, specialArgs) or from
  # `config._module.args`.
  applyModuleArgs =
    key: f:
    args@{ config, ... }:
    let
      context = name: ''while evaluating the module argument `${name}' in "${key}":'';
      extraArgs = mapAttrs (
        name: _: builtins.addErrorContext (context name) (args.${name} or config._module.args.${name})
      ) (functionArgs f);
    in
    f (args // extraArgs);

  loadModule =
    args: fallbackFile: fallbackKey: m:
    if isFunction m then
      unifyModuleSyntax fallbackFile fallbackKey (applyModuleArgs fallbackKey m args)
    else if isAttrs m then
      if m._type or "module" == "module" then
        unifyModuleSyntax fallbackFile fallbackKey m
      else if m._type == "if" || m._type == "merge" || m._type == "override" then
        throw "Could not load a value as a module, because it is of type ${lib.strings.escapeNixString m._type}, in file ${toString fallbackFile}."
      else
        throw "Could not load a value as a module, because it is of type ${lib.strings.escapeNixString m._type}, in file ${toString fallbackFile}.${lib.strings.optionalString (m._type == "configuration") " If you do intend to import this configuration, please only import the modules that make up the configuration. You may have to create a `let` binding, file or attribute set to contain the modules that make up the configuration."}"
    else if isList m then
      let
        defs = [
          {
            file = fallbackFile;
            value = m;
          }
        ];
      in
      throw "Module imports can't be nested lists. Perhaps you meant to remove one level of lists? Definitions: ${showDefs defs}"
    else
      unifyModuleSyntax (toString m) (toString m) (applyModuleArgsIfFunction (toString m) (import m) args);

  applyModuleArgsIfFunction =
    key: f: args:
    if isFunction f then applyModuleArgs key f args else f;

  # All modules reachable through `imports`, minus `disabledModules`, in
  # breadth-first order with each key once (as nixpkgs' genericClosure).
  collectModules =
    class: modulesPath: initialModules: args:
    (collectModulesWithGraph class modulesPath initialModules args).modules;

  # The modules to merge, and `graph`: every module that took part, as the
  # import tree `[ { key; file; imports; disabled; } ]` (evalModules' `graph`).
  collectModulesWithGraph =
    if builtins ? __declosCollectModules then
      builtins.__declosCollectModules collectModulesWithGraphReference applyModuleArgs
    else
      collectModulesWithGraphReference;
  collectModulesWithGraphReference =
    class: modulesPath: initialModules: args:
    let
      # Modules without a key of their own (values, not paths) get a new
      # key at each level, so a value that imports itself is never
      # deduplicated: stop it instead of growing keys forever.
      maxDepth = 1000;
      loadAll =
        depth: parent: parentFile: parentKey: modules:
        if depth > maxDepth && modules != [ ] then
          throw "Module imports are nested more than ${toString maxDepth} levels deep, in `${toString parentFile}': a module imports itself as a value. Import it by path, or give it a `key', so that it is imported once."
        else
          lib.lists.imap1 (
            n: x:
            let
              load = loadModule args parentFile "${parentKey}:anon-${toString n}" x;
              # A file: errors while loading it name who imported it, and
              # where (shown with or without --show-trace).
              module = checkModule (
                if parent != null && (isPath x || isString x) then
                  builtins.addErrorContext "while loading the module `${toString x}'${importedFrom parent}:" load
                else
                  load
              );
            in
            {
              key = module.key;
              inherit module;
              modules = loadAll (depth + 1) module module._file module.key module.imports;
            }
          ) modules;
      checkModule =
        m:
        if m._class != null && class != null && m._class != class then
          throw "The module ${m._file or m.key} was imported into ${class} instead of ${m._class}."
        else
          m;
      importedFrom =
        parent:
        if parent._importsPos or null != null then
          " imported from `${parent._importsPos.file}:${toString parent._importsPos.line}'"
        else
          " imported from `${toString parent._file}'";
      top = loadAll 0 null unknownModule "" initialModules;
      # Every module reachable, disabled or not, each key once: nixpkgs
      # walks the whole import tree here, which never ends when imports
      # form a cycle (a.dcl imports b.dcl imports a.dcl; nixpkgs #252096).
      everything = genericClosure {
        startSet = top;
        operator = e: e.modules;
      };
      moduleKey =
        file: m:
        if isString m && !(lib.strings.hasPrefix "/" m) then
          toString modulesPath + "/" + m
        else if isAttrs m && m ? key then
          toString m.key
        else if isAttrs m && !(m ? __toString || m ? outPath) then
          throw "Module `${toString file}' contains a disabledModules item that is an attribute set, presumably a module, that does not have a `key' attribute. This means that the module system doesn't have any means to identify the module that should be disabled. Make sure that you've put the correct value in disabledModules: a string path relative to modulesPath, a path value, or an attribute set with a `key' attribute."
        else if isPath m || isString m then
          toString m
        else
          throw "Each disabledModules item must be a path, string, or a attribute set with a key attribute, or a value supported by toString. However, one of the disabledModules items in `${toString file}' is none of that, but is of type ${builtins.typeOf m}.";
      disabledKeys = concatMap (e: map (moduleKey e.module._file) e.module.disabledModules) everything;
      keyFilter = filter (e: !elem e.key disabledKeys);
      graphOf = e: {
        inherit (e) key;
        file = e.module._file;
        imports = map graphOf e.modules;
        disabled = elem e.key disabledKeys;
      };
    in
    {
      # Without a disabled module (every submodule, most systems) the
      # closure without them is `everything` (keyFilter keeps all).
      modules = map (e: e.module) (
        if disabledKeys == [ ] then
          everything
        else
          genericClosure {
            startSet = keyFilter top;
            operator = e: keyFilter e.modules;
          }
      );
      graph = map graphOf top;
    };

  # `mkMerge`, `mkIf` and `mkOverride` around an attribute set are moved
  # into each attribute, so that attribute names are known without
  # evaluating any condition.
  pushDownProperties = cfg: map (p: p.value) (pushDownPropertiesPos cfg);

  # Each pushed-down set with the set as written (`posSource`), whose
  # attribute positions say on which line each definition is: the copies
  # made by mapAttrs have none, as in Nix.
  # (`builtins.__declos…` here and below: Python versions of these functions,
  # declos/eval/builtins/modsys.py; this DCL stays the reference, run by Nix
  # and by DECLOS_REFERENCE_MODULES=1, and tests/options/
  # test_modsys_differential.py compares the two.)
  pushDownPropertiesPos = builtins.__declosPushDownPropertiesPos or (
    cfg:
    if cfg._type or "" == "merge" then
      concatMap pushDownPropertiesPos cfg.contents
    else if cfg._type or "" == "if" then
      map (p: p // { value = mapAttrs (n: v: mkIf cfg.condition v) p.value; }) (pushDownPropertiesPos cfg.content)
    else if cfg._type or "" == "override" then
      map (p: p // { value = mapAttrs (n: v: mkOverride cfg.priority v) p.value; }) (
        pushDownPropertiesPos cfg.content
      )
    else
      [
        {
          value = cfg;
          posSource = cfg;
        }
      ]);

  # `mkMerge` flattened and `mkIf` decided, for one option's definition.
  dischargeProperties = builtins.__declosDischargeProperties or (
    def:
    if def._type or "" == "merge" then
      concatMap dischargeProperties def.contents
    else if def._type or "" == "if" then
      if isBool def.condition then
        (if def.condition then dischargeProperties def.content else [ ])
      else
        throw "mkIf called with a non-Boolean condition"
    else
      [ def ]);

  filterOverrides = defs: (filterOverrides' defs).values;

  filterOverrides' = builtins."__declosFilterOverrides'" or (
    defs:
    let
      getPrio = def: if def.value._type or "" == "override" then def.value.priority else defaultOverridePriority;
      highestPrio = foldl' (prio: def: lib.trivial.min (getPrio def) prio) 9999 defs;
      strip = def: if def.value._type or "" == "override" then def // { value = def.value.content; } else def;
    in
    {
      values = concatMap (def: if getPrio def == highestPrio then [ (strip def) ] else [ ]) defs;
      inherit highestPrio;
    });

  sortProperties = builtins.__declosSortProperties or (
    defs:
    let
      strip =
        def:
        if def.value._type or "" == "order" then
          def
          // {
            value = def.value.content;
            inherit (def.value) priority;
          }
        else
          def;
      defs' = map strip defs;
      compare = a: b: (a.priority or defaultOrderPriority) < (b.priority or defaultOrderPriority);
    in
    sort compare defs');

  # The value of one option from its definitions: properties, priorities,
  # order, the type's check and merge.
  # In Python when the evaluator has it (builtins/modsys_options.py), which
  # hands back to this DCL whatever is not the usual case.
  mergeDefinitions =
    if builtins ? __declosMergeDefinitions then
      loc: type: defs: builtins.__declosMergeDefinitions mergeDefinitionsReference loc type defs
    else
      mergeDefinitionsReference;
  mergeDefinitionsReference = loc: type: defs: rec {
    defsFinal' = (builtins.__declosFinalDefinitions or (defs:
      let
        discharged = concatMap (
          m:
          map (
            value:
            if value._type or null == "definition" then
              value
            else
              m // { inherit value; }
          ) (builtins.addErrorContext "while evaluating definitions from `${m.file}':" (dischargeProperties m.value))
        ) defs;
        filtered = filterOverrides' discharged;
        sorted =
          if any (def: def.value._type or "" == "order") filtered.values then
            sortProperties filtered.values
          else
            filtered.values;
      in
      {
        values = sorted;
        inherit (filtered) highestPrio;
      })) defs;
    defsFinal = defsFinal'.values;
    # `{ headError; value; valueMeta; }`: v2 types check and merge in one
    # pass and forward metadata (types.dcl); others get an empty valueMeta.
    checkedAndMerged =
      if type.merge ? v2 then
        types.checkV2MergeCoherence loc type (type.merge.v2 {
          inherit loc;
          defs = defsFinal;
        })
      else
        {
          headError = null;
          value = mergedValue;
          valueMeta = { };
        };
    mergedValue =
      if isDefined then
        if type.merge ? v2 then
          if checkedAndMerged.headError != null then
            throw "A definition for option `${showOption loc}' is not of type `${type.description}'. ${checkedAndMerged.headError.message}"
          else
            checkedAndMerged.value
        else if all (def: type.check def.value) defsFinal then
          type.merge loc defsFinal
        else
          let
            allInvalid = filter (def: !type.check def.value) defsFinal;
          in
          throw "A definition for option `${showOption loc}' is not of type `${type.description}'. Definition values:${showDefs allInvalid}"
      else
        throw "The option `${showOption loc}' was accessed but has no value defined. Try setting the option.";
    isDefined = defsFinal != [ ];
    optionalValue = if isDefined then { value = mergedValue; } else { };
  };

  # Where a declaration is: its position, or (a generated set) at least its file.
  declarationPosition =
    decl:
    if decl.pos or null != null then
      decl.pos
    else
      {
        file = decl._file;
        line = null;
        column = null;
      };

  # `fixupOptionType loc (mergeOptionDecls loc [ decl ])` in one set (the
  # same attributes, forced in the same order), without its two copies.
  singleOptionDecl =
    loc: decl:
    let
      opt = decl.options;
      getSubModules = opt.type.getSubModules or null;
      declarations = [ decl._file ];
      declarationPositions = [ (declarationPosition decl) ];
    in
    if getSubModules == null then
      opt
      // {
        inherit loc declarations declarationPositions;
        options = [ ];
        type = opt.type or types.unspecified;
      }
    else
      opt
      // {
        inherit loc declarations declarationPositions;
        options = [ ];
        type = opt.type.substSubModules (map (lib.modules.setDefaultModuleLocation decl._file) getSubModules);
      };

  # Several declarations of one option become one (the module system makes
  # an option with one declaration, most of them, by singleOptionDecl).
  mergeOptionDecls =
    loc: opts:
    foldl' (
      res: opt:
      let
        t = res.type;
        t' = opt.options.type;
        mergedType = t.typeMerge t'.functor;
        typesMergeable = mergedType != null;
        typeSet = if (res ? type && opt.options ? type) && typesMergeable then { type = mergedType; } else { };
        bothHave = k: opt.options ? ${k} && res ? ${k};
      in
      if
        bothHave "default"
        || bothHave "example"
        || bothHave "description"
        || bothHave "apply"
        || (bothHave "type" && !typesMergeable)
      then
        throw "The option `${showOption loc}' in `${opt._file}' is already declared in ${showFiles res.declarations}."
      else
        let
          getSubModules = opt.options.type.getSubModules or null;
          submodules =
            if getSubModules != null then
              map (lib.modules.setDefaultModuleLocation opt._file) getSubModules ++ res.options
            else
              res.options;
        in
        opt.options
        // res
        // {
          declarations = res.declarations ++ [ opt._file ];
          declarationPositions = res.declarationPositions ++ [ (declarationPosition opt) ];
          options = submodules;
        }
        // typeSet
    ) {
      inherit loc;
      declarations = [ ];
      declarationPositions = [ ];
      options = [ ];
    } opts;

  # An option's value and introspection record.
  evalOptionValue =
    if builtins ? __declosEvalOptionValue then
      loc: opt: defs: builtins.__declosEvalOptionValue evalOptionValueReference loc opt defs
    else
      evalOptionValueReference;
  evalOptionValueReference =
    loc: opt: defs:
    let
      defs' = (if opt ? default then [
        {
          file = head opt.declarations;
          value = mkOptionDefault opt.default;
        }
      ] else [ ]) ++ defs;
      res =
        if opt.readOnly or false && length defs' > 1 then
          let
            separateDefs = map (def: def // { value = (mergeDefinitions loc opt.type [ def ]).mergedValue; }) defs';
          in
          throw "The option `${showOption loc}' is read-only, but it's set multiple times. Definition values:${showDefs separateDefs}"
        else
          mergeDefinitions loc opt.type defs';
      value = if opt ? apply then opt.apply res.mergedValue else res.mergedValue;
      warnDeprecation = if opt.type.deprecationMessage or null == null then x: x else builtins.trace "warning: The type `types.${opt.type.name}' of option `${showOption loc}' defined in ${showFiles opt.declarations} is deprecated. ${opt.type.deprecationMessage}";
    in
    opt
    // {
      value = warnDeprecation (builtins.addErrorContext "while evaluating the option `${showOption loc}':" value);
      isDefined = res.isDefined;
      highestPrio = res.defsFinal'.highestPrio;
      files = map (def: def.file) res.defsFinal;
      definitions = map (def: def.value) res.defsFinal;
      definitionsWithLocations = res.defsFinal;
      # What the type's merge says about the value: for a submodule its
      # `configuration`, for attrsOf/listOf the same per attribute/element
      # (`valueMeta.attrs.<name>.configuration.options.x.files`).
      valueMeta = res.checkedAndMerged.valueMeta;
      # The definitions as written, before mkIf/mkMerge/mkOverride/mkOrder
      # were discharged (the option default first, as mkOptionDefault), for
      # `declos options --explain` to say which one won and why.
      rawDefinitions = defs';
    };

  # Declarations and definitions, merged attribute by attribute.
  #   decls: [ { _file; options = <attrset of options or nested attrsets>; pos?; } ]
  #   defs:  [ { file; value = <attrset>; } ]  (properties already pushed down)
  mergeModules' =
    if builtins ? __declosMergeModules then
      prefix: decls: defs: builtins.__declosMergeModules mergeModules'Reference prefix decls defs
    else
      mergeModules'Reference;
  mergeModules'Reference =
    prefix: decls: defs:
    let
      declsByName = (builtins.__declosDeclsByName or (decls: zipAttrsWith (n: concatLists) (
        map (
          d:
          mapAttrs (name: option: [
            {
              inherit (d) _file;
              options = option;
              pos = builtins.unsafeGetAttrPos name d.options;
            }
          ]) d.options
        ) decls
      ))) decls;
      defsByName = (builtins.__declosDefsByName or (prefix: defs: zipAttrsWith (n: concatLists) (
        map (
          d:
          mapAttrs (
            name: value:
            map (p: {
              inherit (d) file;
              inherit (p) value posSource;
              line = d.linesOf.${name} or null;
            }) (pushDownPropertiesPos value)
          ) d.value
        ) (map withLines defs)
      ))) prefix defs;
      defsByName' = (builtins."__declosDefsByName'" or (prefix: defs: zipAttrsWith (n: concatLists) (
        map (
          d:
          mapAttrs (name: value: [
            (
              {
                inherit (d) file;
                inherit value;
              }
              # The line where the definition is written, when it is known.
              // (if d.linesOf.${name} != null then { line = d.linesOf.${name}; } else { })
            )
          ]) d.value
        ) (map withLines defs)
      ))) prefix defs;
      withLines =
        d:
        if !isAttrs d.value then
          throw "In module `${toString d.file}', you're trying to define a value of type `${builtins.typeOf d.value}'\nrather than an attribute set for the option\n`${concatStringsSep "." prefix}'!\n\nThis usually happens if `${concatStringsSep "." prefix}' has option\ndefinitions inside that are not matched. Please check how to properly define\nthis option by e.g. referring to `man 5 configuration.nix'!"
        else
        d
        // {
          linesOf = mapAttrs (
            name: _:
            let
              p = builtins.unsafeGetAttrPos name (d.posSource or d.value);
            in
            # Only a position in the definition's own file says where it is.
            if p == null || p.file != toString d.file then null else p.line
          ) d.value;
        };
      # One name's result: its option, or the options and names below it.
      resultFor =
        name: decls:
        let
          loc = prefix ++ [ name ];
          defns' = defsByName'.${name} or [ ];
        in
        # One declaration of an option (most names): what the checks below
        # conclude for it, without their filters.
        if length decls == 1 && isOption (head decls).options then
          {
            matchedOptions = evalOptionValue loc (singleOptionDecl loc (head decls)) defns';
            unmatchedDefns = [ ];
          }
        else
        let
          defns = defsByName.${name} or [ ];
          nrOptions = length (filter (m: isOption m.options) decls);
          # A type (or another tagged value) where an option was meant.
          mistyped = filter (m: !isOption m.options && isAttrs m.options && m.options ? _type) decls;
        in
        if mistyped != [ ] then
          let
            m = head mistyped;
          in
          throw "In module `${m._file}': expected an option declaration at option path `${showOption loc}' but got an attribute set with type ${m.options._type}"
        else if nrOptions == length decls then
          let
            opt = fixupOptionType loc (mergeOptionDecls loc decls);
          in
          {
            matchedOptions = evalOptionValue loc opt defns';
            unmatchedDefns = [ ];
          }
        else if nrOptions != 0 && all (m: !isOption m.options || (m.options.type.name or null) == "submodule") decls then
          # Options declared below a submodule option from another module
          # become part of that submodule (as in nixpkgs).
          let
            opt = fixupOptionType loc (mergeOptionDecls loc (map optionTreeToOption decls));
          in
          {
            matchedOptions = evalOptionValue loc opt defns';
            unmatchedDefns = [ ];
          }
        else if nrOptions != 0 then
          let
            firstOption = head (filter (m: isOption m.options) decls);
            firstNonOption = head (filter (m: !isOption m.options) decls);
          in
          throw "The option `${showOption loc}' in module `${firstOption._file}' would be a parent of the following options, but its type `${firstOption.options.type.description or "<no description>"}' does not support nested options.\n${showRawDeclarations loc [ firstNonOption ]}"
        else
          mergeModules' loc (map (m: { inherit (m) _file; options = m.options; }) decls) (
            map (d: {
              inherit (d) file value posSource;
            }) (filter (d: isAttrs d.value) defns)
            ++ map (d: {
              inherit (d) file;
              value = throw "The option `${showOption loc}' is an attribute set of options, but it is defined as ${builtins.typeOf d.value}.";
            }) (filter (d: !(isAttrs d.value)) defns)
          );
      resultsByName = mapAttrs resultFor declsByName;
      matchedOptions = mapAttrs (n: v: v.matchedOptions) resultsByName;
      # As in nixpkgs, definitions without an option are the raw ones (not
      # pushed down): a freeform type merges them itself, and pushing down
      # would force their values (`config.foo = config.bar' under a
      # lazyAttrsOf freeform type).
      unmatchedDefnsByName = removeAttrs defsByName' (attrNames declsByName);
      unmatchedDefns =
        concatLists (
          lib.attrsets.mapAttrsToList (
            name: defs:
            map (
              def:
              def
              // {
                prefix = [ name ] ++ (def.prefix or [ ]);
              }
            ) defs
          ) unmatchedDefnsByName
        )
        ++ concatLists (
          lib.attrsets.mapAttrsToList (
            name: result: map (def: def // { prefix = [ name ] ++ (def.prefix or [ ]); }) result.unmatchedDefns
          ) resultsByName
        );
    in
    {
      inherit matchedOptions unmatchedDefns;
    };

  optionTreeToOption =
    decl:
    if isOption decl.options then
      decl
    else
      decl
      // {
        options = mkOption {
          type = types.submoduleWith {
            modules = [ { options = decl.options; } ];
            # null: "whatever the other declarations say".
            shorthandOnlyDefinesConfig = null;
          };
        };
      };

  showRawDeclarations =
    opt: decls:
    concatStringsSep "\n" (
      sort (a: b: a < b) (
        concatMap (
          d: map (sub: "- option(s) with prefix `${showOption (opt ++ [ sub ])}' in module `${d._file}'") (attrNames d.options)
        ) decls
      )
    );

  mergeModules =
    prefix: modules:
    mergeModules' prefix
      (map (m: {
        inherit (m) _file;
        options = m.options;
      }) modules)
      (
        concatMap (
          m:
          map (p: {
            file = m._file;
            inherit (p) value posSource;
          }) (pushDownPropertiesPos m.config)
        ) modules
      );

  # Edit distance between two names, for suggestions.
  levenshtein =
    a: b:
    let
      as = lib.strings.stringToCharacters a;
      bs = lib.strings.stringToCharacters b;
      n = length bs;
      min3 = x: y: z: lib.trivial.min x (lib.trivial.min y z);
      step =
        prev: ca:
        foldl' (
          row: j:
          row
          ++ [
            (min3 (builtins.elemAt prev (j + 1) + 1) (builtins.elemAt row j + 1) (
              builtins.elemAt prev j + (if ca == builtins.elemAt bs j then 0 else 1)
            ))
          ]
        ) [ (builtins.head prev + 1) ] (builtins.genList (j: j) n);
    in
    lib.lists.last (foldl' step (builtins.genList (j: j) (n + 1)) as);

  setDefaultModuleLocation = file: m: {
    _file = file;
    imports = [ m ];
  };

  setAttrByPath =
    path: value: if path == [ ] then value else { ${head path} = setAttrByPath (tail path) value; };

  # The options of evalModules' internal module, made once (not per
  # evalModules call: every submodule element is one): `_module.args` is
  # internal below the top level.
  internalOptions = {
    top = internalOptionsWith false;
    nested = internalOptionsWith true;
  };
  internalOptionsWith =
    internal:
    {
      _module.args = mkOption {
        type = types.lazyAttrsOf types.raw;
        inherit internal;
        description = "Additional arguments passed to each module in addition to ones like `lib`, `config`, and `pkgs`, `modulesPath`.";
      };
      _module.check = mkOption {
        type = types.bool;
        internal = true;
        default = true;
        description = "Whether to check whether all option definitions have matching declarations.";
      };
      _module.freeformType = mkOption {
        type = types.nullOr types.optionType;
        internal = true;
        default = null;
        description = "If set, merge all definitions that don't have an associated option together using this type.";
      };
      _module.specialArgs = mkOption {
        readOnly = true;
        internal = true;
        description = "Externally provided module arguments that can't be modified from within a configuration.";
      };
    };

  evalModules =
    evalModulesArgs@{
      modules,
      prefix ? [ ],
      args ? { },
      check ? true,
      specialArgs ? { },
      class ? null,
    }:
    let
      internalModule = rec {
        _file = "lib/modules.dcl";
        key = _file;
        options = if prefix != [ ] then internalOptions.nested else internalOptions.top;
        config = {
          _module.args = {
            inherit extendModules;
            moduleType = type;
          } // args;
          _module.specialArgs = specialArgs;
          _module.check = lib.mkDefault check;
        };
      };

      collected = collectModulesWithGraph class (specialArgs.modulesPath or "") (modules ++ [ internalModule ]) (
        {
          inherit lib options specialArgs;
          _class = class;
          _prefix = prefix;
          # `imports` are read before `config` exists: a module whose
          # imports depend on `config` recurses forever.
          config = builtins.addErrorContext "if you get an infinite recursion here, you probably reference `config` in `imports`. If you are trying to achieve a conditional import behavior dependent on `config`, consider importing unconditionally, and using `mkEnableOption` and `mkIf` to control its effect." config;
        }
        // specialArgs
      );

      merged = mergeModules prefix collected.modules;

      options = merged.matchedOptions;

      config =
        let
          declaredConfig =
            if builtins ? __declosOptionValues then
              builtins.__declosOptionValues options
            else
              lib.attrsets.mapAttrsRecursiveCond (v: !isOption v) (_: v: v.value) options;
          freeformConfig =
            let
              defs = map (def: {
                file = def.file;
                value = setAttrByPath def.prefix def.value;
              }) merged.unmatchedDefns;
            in
            if defs == [ ] then { } else declaredConfig._module.freeformType.merge prefix defs;
        in
        if declaredConfig._module.freeformType == null then
          declaredConfig
        else
          lib.attrsets.recursiveUpdate freeformConfig declaredConfig;

      checkUnmatched =
        if config._module.check && config._module.freeformType == null && merged.unmatchedDefns != [ ] then
          let
            # Every option that does not exist, in one error (each with its
            # definitions and suggestions), so that one run shows them all.
            paths = lib.lists.unique (map (d: d.prefix) merged.unmatchedDefns);
            messageFor =
              path:
              let
                optText = showOption (prefix ++ path);
                defText = builtins.addErrorContext "while evaluating the error message for definitions for `${optText}', which is an option that does not exist" (
                  showDefs (filter (d: d.prefix == path) merged.unmatchedDefns)
                );
              in
              "The option `${optText}' does not exist. Definition values:${defText}";
            baseMsg = messageFor (head paths);
          in
          if attrNames options == [ "_module" ] then
            let
              optionName = showOption prefix;
            in
            if optionName == "" then
              throw ''
                ${baseMsg}

                It seems as if you're trying to declare an option by placing it into `config' rather than `options'!''
            else
              throw ''
                ${baseMsg}

                However there are no options defined in `${showOption prefix}'. Are you sure you've
                declared your options properly? This can happen if you e.g. declared your options in `types.submodule'
                under `config' rather than `options'.''
          else
            throw (concatStringsSep "\n\n" (map (path: messageFor path + suggestOptions path) paths))
        else
          null;

      # "Did you mean …?" with the declared names at most two edits away, at
      # the deepest level of the path that exists.
      suggestOptions =
        path:
        let
          walk =
            opts: depth: rest:
            if rest == [ ] || isOption opts then
              ""
            else if opts ? ${head rest} then
              walk opts.${head rest} (depth + 1) (tail rest)
            else
              let
                names = filter (n: n != "_module") (attrNames opts);
                scored = map (n: {
                  name = n;
                  d = levenshtein (head rest) n;
                }) names;
                close = map (x: x.name) (sort (a: b: a.d < b.d) (filter (x: x.d <= 2) scored));
                show = n: "`${showOption (prefix ++ lib.lists.take depth path ++ [ n ])}'";
              in
              if close == [ ] then
                ""
              else if length close == 1 then
                "\nDid you mean ${show (head close)}?"
              else
                "\nDid you mean one of ${concatStringsSep ", " (map show close)}?";
        in
        walk options 0 path;

      checked = builtins.seq checkUnmatched;

      extendModules =
        extendArgs@{
          modules ? [ ],
          specialArgs ? { },
          prefix ? [ ],
        }:
        evalModules (
          evalModulesArgs
          // {
            modules = evalModulesArgs.modules ++ modules;
            specialArgs = evalModulesArgs.specialArgs or { } // specialArgs;
            prefix = extendArgs.prefix or evalModulesArgs.prefix or [ ];
          }
        );

      type = types.submoduleWith {
        inherit modules specialArgs class;
      };

      result = {
        _type = "configuration";
        options = checked options;
        config = checked (removeAttrs config [ "_module" ]);
        _module = checked config._module;
        # The import tree of the modules given (the internal module left out).
        graph = lib.lists.init collected.graph;
        inherit extendModules type class;
      };
    in
    result;

  # Rename and removal helpers used by NixOS modules.
  doRename =
    {
      from,
      to,
      visible ? false,
      warn ? false,
      use ? (x: x),
      withPriority ? true,
      # Whether definitions of `from` are forwarded to `to` (and warned
      # about) at all; `from` stays declared either way.
      condition ? true,
    }:
    { config, options, ... }:
    let
      fromOpt = lib.attrsets.getAttrFromPath from options;
      toOf = lib.attrsets.attrByPath to (throw "Renaming error: option `${showOption to}' does not exist.");
      toType = let opt = lib.attrsets.attrByPath to { } options; in opt.type or (types.submodule { });
    in
    {
      options = setAttrByPath from (
        mkOption {
          inherit visible;
          description = "Alias of {option}`${showOption to}`.";
          apply = x: use (toOf config);
        }
        // (if toType != null then { type = toType; } else { })
      );
      config = mkIf condition (mkMerge [
        (
          if options ? warnings then
            {
              warnings =
                if warn && fromOpt.isDefined then
                  [ "The option `${showOption from}' defined in ${showFiles fromOpt.files} has been renamed to `${showOption to}'." ]
                else
                  [ ];
            }
          else
            { }
        )
        (
          if withPriority then
            mkIf fromOpt.isDefined (setAttrByPath to (mkMerge (map (mkOverride fromOpt.highestPrio) fromOpt.definitions)))
          else
            mkIf fromOpt.isDefined (setAttrByPath to (mkMerge fromOpt.definitions))
        )
      ]);
    };

  mkRenamedOptionModule =
    from: to:
    doRename {
      inherit from to;
      visible = false;
      warn = true;
      use = builtins.trace "Obsolete option `${showOption from}' is used. It was renamed to `${showOption to}'.";
    };

  mkRenamedOptionModuleWith =
    {
      from,
      to,
      sinceRelease,
      condition ? true,
    }:
    doRename {
      inherit from to condition;
      visible = false;
      warn = true;
    };

  mkAliasOptionModule =
    from: to:
    doRename {
      inherit from to;
      visible = true;
      warn = false;
      use = x: x;
    };

  mkAliasOptionModuleMD = mkAliasOptionModule;

  mkRemovedOptionModule =
    optionName: replacementInstructions:
    { options, ... }:
    {
      options = setAttrByPath optionName (
        mkOption {
          visible = false;
          apply = x: throw "The option `${showOption optionName}' can no longer be used since it's been removed. ${replacementInstructions}";
        }
      );
      config.assertions =
        let
          opt = lib.attrsets.getAttrFromPath optionName options;
        in
        [
          {
            assertion = !opt.isDefined;
            message = ''
              The option definition `${showOption optionName}' in ${showFiles opt.files} no longer has any effect; please remove it.
              ${replacementInstructions}
            '';
          }
        ];
    };

  mkChangedOptionModule =
    from: to: changeFn:
    mkMergedOptionModule [ from ] to changeFn;

  mkMergedOptionModule =
    from: to: mergeFn:
    { config, options, ... }:
    {
      options = foldl' lib.attrsets.recursiveUpdate { } (
        map (
          path:
          setAttrByPath path (
            mkOption {
              visible = false;
              default = "_mkMergedOptionModule";
            }
          )
        ) from
      );
      config = (if !(options ? warnings) then { } else {
        warnings = filter (x: x != "") (
          map (
            f:
            let
              val = lib.attrsets.getAttrFromPath f config;
              opt = lib.attrsets.getAttrFromPath f options;
            in
            if val != "_mkMergedOptionModule" then
              "The option `${showOption f}' defined in ${showFiles opt.files} has been changed to `${showOption to}' that has a different type. Please read `${showOption to}' documentation and update your configuration accordingly."
            else
              ""
          ) from
        );
      })
      // setAttrByPath to (
        mkIf (any (f: (lib.attrsets.getAttrFromPath f config) != "_mkMergedOptionModule") from) (mergeFn config)
      );
    };

  mkDerivedConfig = opt: f: mkOverride (opt.highestPrio or defaultOverridePriority) (f opt.value);

  mkAliasDefinitions = mkAliasAndWrapDefinitions (x: x);
  mkAliasAndWrapDefinitions = wrap: option: mkAliasIfDef option (wrap (mkMerge option.definitions));
  mkAliasAndWrapDefsWithPriority =
    wrap: option:
    let
      prio = option.highestPrio or defaultOverridePriority;
    in
    mkAliasIfDef option (wrap (mkMerge (map (mkOverride prio) option.definitions)));
  mkAliasIfDef = option: mkIf (isOption option && option.isDefined);

  # For an option of type attrsOf/lazyAttrsOf: per name, its merged value
  # and the highest priority among its definitions, e.g. to re-define each
  # attribute of another option at the priority it had.
  mergeAttrDefinitionsWithPrio =
    opt:
    let
      byName = zipAttrsWith (n: defs: defs) (
        map (
          def:
          mapAttrs (n: v: {
            inherit (def) file;
            value = v;
          }) def.value
        ) opt.definitionsWithLocations
      );
    in
    if !(elem (opt.type.name or null) [ "attrsOf" "lazyAttrsOf" ]) then
      throw "mergeAttrDefinitionsWithPrio: the option `${showOption opt.loc}' is of type `${opt.type.description or "unspecified"}', not an attribute set (attrsOf or lazyAttrsOf)."
    else
      mapAttrs (
        name: defs:
        let
          merged = mergeDefinitions (opt.loc ++ [ name ]) opt.type.nestedTypes.elemType defs;
        in
        {
          value = merged.mergedValue;
          inherit (merged.defsFinal') highestPrio;
        }
      ) byName;

  # `import modulePath staticArg` as a module that keeps its file name for
  # error messages and disabledModules-style keys.
  importApply =
    modulePath: staticArg:
    lib.modules.setDefaultModuleLocation modulePath (import modulePath staticArg);

  importJSON = file: builtins.fromJSON (builtins.readFile file);
  importTOML = file: builtins.fromTOML (builtins.readFile file);
in
{
  inherit
    evalModules
    collectModules
    collectModulesWithGraph
    mergeAttrDefinitionsWithPrio
    importApply
    pushDownPropertiesPos
    unifyModuleSyntax
    applyModuleArgsIfFunction
    pushDownProperties
    dischargeProperties
    filterOverrides
    filterOverrides'
    sortProperties
    mergeDefinitions
    mergeOptionDecls
    evalOptionValue
    mergeModules
    mergeModules'
    fixupOptionType
    setDefaultModuleLocation
    unknownModule
    defaultOverridePriority
    defaultOrderPriority
    mkIf
    mkMerge
    mkOverride
    mkOptionDefault
    mkDefault
    mkImageMediaOverride
    mkForce
    mkVMOverride
    mkOrder
    mkBefore
    mkAfter
    mkDefinition
    mkFixStrictness
    mkRenamedOptionModule
    mkRenamedOptionModuleWith
    mkAliasOptionModule
    mkAliasOptionModuleMD
    mkRemovedOptionModule
    mkChangedOptionModule
    mkMergedOptionModule
    doRename
    mkDerivedConfig
    mkAliasDefinitions
    mkAliasAndWrapDefinitions
    mkAliasAndWrapDefsWithPriority
    mkAliasIfDef
    importJSON
    importTOML
    ;
  defaultPriority = defaultOverridePriority;
  mkStrict = x: x;
}
