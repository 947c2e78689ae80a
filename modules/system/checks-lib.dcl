# Helpers of the build-time checks (not a module): the `origins` handed to
# `pkgs.checkConfigFile`, which tell a failed check which option definition
# wrote the offending line of a generated file.
#
#   checks = import ./checks-lib.dcl { inherit lib; };
#   checks.definitionOrigins options.security.sudo.extraConfig
#   == [ { label = "security.sudo.extraConfig (defined in /etc/declos/config.dcl:12)";
#          text = "Defaults env_reset\n"; } ]
{ lib }:

rec {
  # A file as a label shows it: the module library's own files as
  # <declos/modules/…>.  Labels are part of derivations (the checks'
  # origins, the manifest), and the library's absolute path, wherever
  # declos is installed, made the toplevel's drvPath differ between a
  # checkout and an install, or two machines.
  libraryDir = toString ./..;
  showFile = f:
    let s = toString f; in
    if lib.hasPrefix "${libraryDir}/" s then "<declos/modules/${lib.removePrefix "${libraryDir}/" s}>" else s;

  # "FILE:LINE" of a definition (FILE alone when its line is not known).
  showDefinition = d: "${showFile d.file}${lib.optionalString (d.line or null != null) ":${toString d.line}"}";

  # " (defined in FILE:LINE, …)", or "" for no definitions.
  definedIn = defs:
    lib.optionalString (defs != [ ]) " (defined in ${lib.concatMapStringsSep ", " showDefinition defs})";

  # The text of a definition of a `lines` or `str` option (through the
  # mkOrder/mkOverride wrappers that may still be there), else "".
  textOf = v:
    if builtins.isString v then v
    else if builtins.isAttrs v && v ? content then textOf v.content
    else "";

  # One origin per definition of a text option, labelled with its own line:
  # each definition's text is what it wrote into the file.
  definitionOrigins = opt:
    map (d: { label = "${lib.showOption opt.loc}${definedIn [ d ]}"; text = textOf d.value; })
      (builtins.filter (d: textOf d.value != "") (opt.definitionsWithLocations or [ ]));

  # One origin for an option as a whole: `text` is what its merged value
  # wrote; every definition is named.
  valueOrigin = opt: text: {
    label = "${lib.showOption opt.loc}${definedIn (opt.definitionsWithLocations or [ ])}";
    inherit text;
  };

  # `valueOrigin` for an option of a submodule whose path `shownPath`, as
  # `lib.showOption` shows it, is computed once for all its options
  # (showOption (path ++ [ n ]) is "${showOption path}.${showOption [ n ]}"):
  # showing every option's whole path was ~5% of a large configuration.
  valueOriginIn = shownPath: opt: text: {
    label = "${shownPath}.${lib.showOption [ (lib.last opt.loc) ]}${definedIn (opt.definitionsWithLocations or [ ])}";
    inherit text;
  };

  # The type of the internal `_checkOrigins` options: a list, definitions
  # concatenated as listOf's, but without listOf's merge of each element as
  # an option of its own (a unit has ~15 origins, a virtual host ~20: that
  # was a fifth of all the option merges of a large configuration).  The
  # elements are records the module library builds, never mkIf/mkOverride.
  originsType = lib.mkOptionType {
    name = "listOf";
    description = "list of raw value";
    descriptionClass = "composite";
    check = builtins.isList;
    merge = loc: defs: builtins.concatLists (map (d: d.value) defs);
    emptyValue = { value = [ ]; };
  };

  # One origin per key of an attribute-set option (`settings`,
  # `serviceConfig`): `render key value` is what the key wrote, and the
  # label names the definitions that set that key.
  keyOrigins = opt: value: render:
    let shown = lib.showOption opt.loc; in
    lib.mapAttrsToList (key: v: {
      label = "${shown}.${lib.showOption [ key ]}${definedIn (builtins.filter
        (d: builtins.isAttrs d.value && d.value ? ${key}) (opt.definitionsWithLocations or [ ]))}";
      text = render key v;
    }) value;
}
