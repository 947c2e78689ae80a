# `programs.git`: git from the host distribution (`environment.hostPackages`)
# and its system-wide configuration /etc/gitconfig (which Debian, Fedora
# and Arch do not ship), with NixOS's options:
#
#   programs.git = {
#     enable = true;
#     config = {
#       init.defaultBranch = "main";
#       url."https://github.com/".insteadOf = [ "gh:" "github:" ];
#     };
#   };
#
# `config` is rendered by lib.generators.toGitINI; a list of such sets
# keeps its order (sections repeated as given), as in NixOS.  The file is
# checked with the host's `git config --list` at build time when git is
# there.
{ config, lib, options, pkgs, ... }:

let
  inherit (lib) mkOption types;
  cfg = config.programs.git;
  checks = import ../system/checks-lib.dcl { inherit lib; };
  chk = import ../config/checks-lib.dcl { inherit lib; };

  gitini = types.attrsOf (types.attrsOf types.anything);

  text = lib.concatMapStringsSep "\n" lib.generators.toGitINI cfg.config;
  gitconfig = pkgs.writeText "etc-gitconfig" text;

  # The names of `config` become section headers and variable names, which
  # git-config(1) writes without quoting: a line end, a "]" or a blank in
  # one of them would add a section or a variable (`core.sshCommand`, a
  # command every git user runs) the definition does not declare.  Values
  # are quoted and escaped by toGitINI (\" \\ \n \t), so any string is one.
  #   section: letters, digits, "-"; then optionally "." and a subsection
  #   (written in quotes: one line, no backslash, and no quote, since a
  #   name holding a quote is written as it is: `"remote \"origin\""`,
  #   which must then be SECTION "SUBSECTION" with \" and \\ escaped).
  sectionOk = s:
    if lib.hasInfix "\"" s then
      chk.isSingleLine s && builtins.match "[A-Za-z0-9-]+ \"([^\"\\]|\\.)*\"" s != null
    else
      let m = builtins.match "([A-Za-z0-9-]+)(\\.(.*))?" s; in
      m != null && (builtins.elemAt m 2 == null
        || chk.isSingleLine (builtins.elemAt m 2) && !(lib.hasInfix "\\" (builtins.elemAt m 2)));
  # A variable name: a letter, then letters, digits and "-".
  keyOk = k: builtins.match "[A-Za-z][A-Za-z0-9-]*" k != null;

  # Every (section, key) of a definition of `config`, with the position of
  # the attribute that names the key; mkIf (when true), mkMerge, mkOverride
  # and mkOrder are looked through, as the merge does.
  entries = d:
    let
      go = path: pos: v:
        let t = v._type or null; in
        if builtins.isAttrs v && (t == "override" || t == "order") then go path pos v.content
        else if builtins.isAttrs v && t == "if" then lib.optionals (v.condition == true) (go path pos v.content)
        else if builtins.isAttrs v && t == "merge" then lib.concatMap (go path pos) v.contents
        else if builtins.isAttrs v && !lib.isDerivation v then
          lib.concatMap (n: go (path ++ [ n ]) (builtins.unsafeGetAttrPos n v) v.${n}) (builtins.attrNames v)
        else if builtins.length path < 2 then [ ]
        else [ {
          section = lib.concatStringsSep "." (lib.init path);
          key = lib.last path;
          at = if pos != null && pos.file == toString d.file then "${pos.file}:${toString pos.line}" else showDef d;
        } ];
    in
    if builtins.isList d.value then lib.concatMap (go [ ] null) d.value else go [ ] null d.value;
  showDef = d: "${toString d.file}${lib.optionalString (d.line or null != null) ":${toString d.line}"}";
  allEntries = lib.concatMap entries (options.programs.git.config.definitionsWithLocations or [ ]);
  nameAssertions =
    map (e: {
      assertion = false;
      message = "programs.git.config: the section name ${chk.show e.section}${chk.definedIn [ e.at ]} is not a git-config(1) section: letters, digits and \"-\", optionally followed by \".\" and a subsection of one line without backslashes (or SECTION \"SUBSECTION\" with \\\" and \\\\ escaped), so that it cannot add a section or a variable.";
    }) (lib.unique (builtins.filter (e: !sectionOk e.section) allEntries))
    ++ map (e: {
      assertion = false;
      message = "programs.git.config.${chk.show e.section}: the variable name ${chk.show e.key}${chk.definedIn [ e.at ]} is not a git-config(1) variable: a letter, then letters, digits and \"-\".";
    }) (lib.unique (builtins.filter (e: sectionOk e.section && !keyOk e.key) allEntries));

  check = pkgs.checkConfigFile {
    name = "gitconfig";
    program = "git";
    what = "git config --list";
    hint = "programs.git.checkConfig = false";
    files = [ { target = "/etc/gitconfig"; source = gitconfig; } ];
    command = ''HOME=$PWD "$program" config --file "$file" --list >/dev/null'';
    origin = "programs.git.config";
    origins = [ (checks.valueOrigin options.programs.git.config text) ];
  };
in
{
  options.programs.git = {
    enable = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Whether git is installed (the host's package "git", through
        `environment.hostPackages`) and /etc/gitconfig written from
        `config`.
      '';
    };

    package = mkOption {
      type = types.str;
      default = "git";
      description = "The host package providing git.";
    };

    config = mkOption {
      type = types.either gitini (types.listOf gitini) // {
        merge = loc: defs:
          let
            split = lib.foldl' (acc: d:
              if builtins.isList d.value then acc // { ordered = acc.ordered ++ d.value; }
              else acc // { unordered = acc.unordered ++ [ d ]; }) { ordered = [ ]; unordered = [ ]; } defs;
          in
          lib.optional (split.unordered != [ ]) (gitini.merge loc split.unordered) ++ split.ordered;
      };
      default = [ ];
      example = { init.defaultBranch = "main"; url."https://github.com/".insteadOf = [ "gh:" "github:" ]; };
      description = ''
        The system-wide git configuration (/etc/gitconfig), as nested sets
        (`section.key = value`, `section."sub".key = value`; a list repeats
        the key).  A list of such sets keeps its order.
      '';
    };

    checkConfig = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Whether /etc/gitconfig is checked with the host's `git config
        --list` when the system is built (reported as not run without git
        on the building host).
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = nameAssertions;
    environment.hostPackages = [ cfg.package ];
    environment.etc.gitconfig = lib.mkIf (cfg.config != [ ]) { source = gitconfig; };
    system.checks = lib.optional (cfg.checkConfig && cfg.config != [ ]) check;
  };
}
