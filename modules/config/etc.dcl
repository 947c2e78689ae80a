# `environment.etc`: the files of /etc.  Each enabled entry is a link
# `<toplevel>/etc/<target> -> <source>` in the etc link farm
# (`system.build.etc`) and an entry of the manifest's "etc" set
# (`system.build.etcManifest`), which declos/system turns into
# `/etc/<target> -> /etc/static/<target>` (mode "symlink") or a copy with
# that mode and owner.
#
#   environment.etc."ssh/ssh_known_hosts".text = "...";
#   environment.etc.issue = { source = ./issue; mode = "0644"; };
{ config, lib, pkgs, ... }:

let
  inherit (lib) mkOption types;

  enabled = lib.filter (e: e.enable) (lib.attrValues config.environment.etc);

  # target -> names of the entries claiming it
  claims = lib.foldl'
    (acc: e: acc // { ${e.target} = (acc.${e.target} or [ ]) ++ [ e.name ]; })
    { } enabled;

  etcFile = { name, config, options, ... }: {
    options = {
      enable = mkOption {
        type = types.bool;
        default = true;
        description = "Whether this /etc file is generated.";
      };

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
        type = types.str;
        default = "root";
        description = "Owner of the file when it is copied (`mode` is not \"symlink\").";
      };

      group = mkOption {
        type = types.str;
        default = "root";
        description = "Group of the file when it is copied (`mode` is not \"symlink\").";
      };
    };

    config.source = lib.mkIf (config.text != null) (
      lib.mkOverride (options.text.highestPrio or 100)
        (pkgs.writeText (lib.strings.sanitizeDerivationName "etc-${lib.replaceStrings [ "/" ] [ "-" ] name}") config.text)
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
      assertion = !(lib.hasPrefix "/" e.target) && !(builtins.elem ".." (lib.splitString "/" e.target));
      message = "environment.etc.\"${e.name}\".target must be a path relative to /etc without \"..\", not \"${e.target}\".";
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
