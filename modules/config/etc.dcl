# `environment.etc`: the files of /etc.  Each enabled entry is a link
# `<toplevel>/etc/<target> -> <source>` in the etc link farm
# (`system.build.etc`) and an entry of the manifest's "etc" set
# (`system.build.etcManifest`), which declos/system turns into
# `/etc/<target> -> /etc/static/<target>` (mode "symlink") or a copy with
# that mode and owner.
#
#   environment.etc."ssh/ssh_known_hosts".text = "...";
#   environment.etc.issue = { source = ./issue; mode = "0644"; };
#
# A target is a normalized path relative to /etc that is none of declos'
# own files (passwd, shadow, group, gshadow, .declos-managed, static/…,
# its temporaries and backups): anything else is an assertion naming the
# line that defines it.
{ config, lib, options, pkgs, ... }:

let
  inherit (lib) mkOption types;

  chk = import ./checks-lib.dcl { inherit lib; };

  # What activation writes under /etc itself.
  ownFiles = [ "passwd" "shadow" "group" "gshadow" ".declos-managed" ];

  # Why `t` cannot be a target, or null.
  targetProblem = t:
    let
      parts = lib.splitString "/" t;
      ownSuffix = p: lib.hasSuffix ".declos-tmp" p || builtins.match ".*\\.declos-backup(\\.[0-9]+)?" p != null;
    in
    if t == "" then "it is empty"
    else if lib.hasPrefix "/" t then "it is absolute: targets are relative to /etc"
    else if !chk.isSingleLine t then "it contains a line end or a NUL character"
    else if !chk.isNormalizedRelative t then
      "it is not a normalized path (no \".\" or \"..\" components, no \"//\", no trailing slash)"
    else if lib.any (p: builtins.stringLength p > 255) parts then "it has a component longer than 255 bytes"
    else if builtins.elem t ownFiles then "declos writes /etc/${t} itself"
    else if lib.head parts == "static" then "/etc/static is declos' link to the generation's files"
    else if lib.any ownSuffix parts then
      "declos uses names ending in .declos-tmp and .declos-backup for its temporaries and backups"
    else null;

  # The store name of an entry's `text` (a NUL, which only fromJSON makes,
  # would fail sanitizeDerivationName before the assertions could speak).
  storeName = name: lib.strings.sanitizeDerivationName
    "etc-${if chk.isSingleLine name then lib.replaceStrings [ "/" ] [ "-" ] name else "file"}";

  # The user or group owning a copy: a name (as useradd takes) or a number.
  ownerType = types.strMatching "${chk.nameRegex}|[0-9]+";

  enabled = lib.filter (e: e.enable) (lib.attrValues config.environment.etc);

  # target -> names of the entries claiming it
  claims = lib.foldl'
    (acc: e: acc // { ${e.target} = (acc.${e.target} or [ ]) ++ [ e.name ]; })
    { } enabled;

  # An entry's options but those that depend on the entry (`name`,
  # `target`, `_definitions`): made once, not again for each of the
  # (hundreds of) entries.
  etcFileOptions = {
    enable = mkOption {
      type = types.bool;
      default = true;
      description = "Whether this /etc file is generated.";
    };

    text = mkOption {
      type = types.nullOr types.lines;
      default = null;
      description = "The contents of the file (written to the store), instead of `source`.";
    };

    source = mkOption {
      type = types.path;
      description = ''
        The file the entry links to: a path (copied into the store), a
        derivation, or an absolute path on the host.  Set from `text`
        when that is given.
      '';
    };

    mode = mkOption {
      type = types.strMatching "symlink|direct|0?[0-7]{3}|[0-7]{4}";
      default = "symlink";
      example = "0600";
      description = ''
        "symlink" links /etc/<target> to the store (through /etc/static);
        an octal mode such as "0644" makes it a copy with that mode, owned
        by `user` and `group` ("direct" is accepted as NixOS does and
        means a link as well).
      '';
    };

    user = mkOption {
      type = ownerType;
      default = "root";
      description = "Owner of the file when it is copied (`mode` is not \"symlink\").";
    };

    group = mkOption {
      type = ownerType;
      default = "root";
      description = "Group of the file when it is copied (`mode` is not \"symlink\").";
    };
  };

  etcFile = { name, config, options, ... }: {
    options = etcFileOptions // {
      name = mkOption {
        type = types.str;
        default = name;
        readOnly = true;
        description = "The attribute name of the entry.";
      };

      target = mkOption {
        type = types.str;
        default = name;
        defaultText = lib.literalExpression "<name>";
        description = "Name of the file, relative to /etc.";
      };

      _definitions = mkOption {
        type = types.unspecified;
        internal = true;
        visible = false;
        readOnly = true;
        default = { inherit (options) target source; };
        description = "Where `target` and `source` were defined, for the assertions' messages.";
      };
    };

    config.source = lib.mkIf (config.text != null) (
      lib.mkOverride (options.text.highestPrio or 100)
        (pkgs.writeText (storeName name) config.text)
    );
  };

in
{
  options = {
    environment.etc = mkOption {
      type = types.attrsOf (types.submodule etcFile);
      default = { };
      example = lib.literalExpression ''
        { hosts.text = "127.0.0.1 localhost\n";
          "nginx/nginx.conf" = { source = ./nginx.conf; mode = "0644"; };
        }
      '';
      description = "Files to place in /etc (links into the store unless `mode` says otherwise).";
    };
  };

  config = {
    assertions = lib.concatLists (lib.mapAttrsToList (target: names: [{
      assertion = builtins.length names == 1;
      message = "environment.etc: the file /etc/${target} is given by more than one entry: ${lib.concatMapStringsSep ", " (n: "environment.etc.\"${n}\"") names}.";
    }]) claims) ++ map (e: {
      assertion = targetProblem e.target == null;
      message = "${lib.showOption [ "environment" "etc" e.name "target" ]} is ${chk.show e.target}${chk.definedIn (chk.nameLocations options.environment.etc e.name e._definitions.target e.target)}, which cannot be a file under /etc: ${toString (targetProblem e.target)}.";
    }) enabled ++ map (e: {
      assertion = chk.isNormalizedAbsolute "${e.source}";
      message = "${lib.showOption [ "environment" "etc" e.name "source" ]} is ${chk.show "${e.source}"}${chk.definedIn (chk.optionLocations e._definitions.source (_: true))}, which is not a normalized absolute path.";
    }) enabled ++ map (e: {
      assertion = e.mode == "symlink" || e.mode == "direct" || lib.hasPrefix "${builtins.storeDir}/" "${e.source}";
      message = "${lib.showOption [ "environment" "etc" e.name ]} is a copy (mode ${e.mode}) of ${chk.show "${e.source}"}${chk.definedIn (chk.optionLocations e._definitions.source (_: true))}, which is not in the store: only a link (mode \"symlink\") may name a file of the host.";
    }) enabled;

    system.build.etc = pkgs.linkFarm "etc" (map (e: { name = e.target; path = e.source; }) enabled);

    system.build.etcManifest = lib.listToAttrs (map (e: {
      name = e.target;
      value = {
        source = "${e.source}";
        mode = if e.mode == "direct" then "symlink" else e.mode;
        inherit (e) user group;
      };
    }) enabled);
  };
}
