# Helpers of system/systemd.dcl (not a module): the unit option type, the
# options units share, and rendering a unit to text.
#
#   (import ./systemd-lib.dcl { inherit lib; }).attrsToSection
#     { Type = "oneshot"; RemainAfterExit = true; ExecStartPre = [ "/bin/a" "/bin/b" ]; }
#   == "ExecStartPre=/bin/a\nExecStartPre=/bin/b\nRemainAfterExit=yes\nType=oneshot\n"
{ lib }:

let
  inherit (lib) mkOption types;

  checks = import ./checks-lib.dcl { inherit lib; };
  chk = import ../config/checks-lib.dcl { inherit lib; };

  # A string written into a unit file: systemd ends a line at "\n" and at
  # "\r", so a line end inside a value would add a setting of its own
  # (`Description = "x\nExecStartPre=/bin/evil"`), and a final backslash
  # continues the line onto the next, which is then part of the value
  # (`SyslogIdentifier = "app\\"` swallowed the `User=nobody` after it: the
  # service ran as root); every string option that reaches a unit file has
  # this type.
  isUnitValue = s: chk.isSingleLine s && !lib.hasSuffix "\\" s;
  unitStr = chk.checkedStr "unitStr" "string without line ends or a final backslash" isUnitValue;

  unitScalar = types.oneOf [ types.bool types.int types.str types.path types.package ];
  # A string (a path is one too) must not hold a line end or end in a backslash.
  unitScalarOk = x: unitScalar.check x && (!builtins.isString x || isUnitValue x);
in
rec {
  inherit unitStr;

  # A value of a unit file setting: a scalar, or a list of them (the key is
  # repeated).  As in NixOS, definitions with a list concatenate; scalars
  # must agree.
  unitOption = lib.mkOptionType {
    name = "systemd option";
    description = "systemd unit setting (bool, int, string, path, package, or a list of these; no line ends, no final backslash)";
    check = x: unitScalarOk x || (builtins.isList x && builtins.all unitScalarOk x);
    merge = loc: defs:
      let defs' = lib.filterOverrides defs;
      in if builtins.any (d: builtins.isList d.value) defs'
        then lib.concatMap (d: lib.toList d.value) defs'
        else lib.mergeEqualOption loc defs';
  };

  # One setting's text.  Booleans are yes/no.
  toOption = x:
    if x == true then "yes"
    else if x == false then "no"
    else toString x;

  attrsToSection = as: lib.concatStrings (lib.concatLists (lib.mapAttrsToList
    (key: value: map (x: "${key}=${toOption x}\n") (lib.toList value)) as));

  # A value of Environment= (services' `environment`): `envAssignment`
  # writes the whole assignment inside double quotes with "\" and "\""
  # escaped, so a final backslash is the value's own and continues nothing
  # (`C:\` is written `Environment="PATTERN=C:\\"`: the line ends in a
  # quote, and systemd 252's `verify` reads the value back as `C:\`); only
  # a line end would end the line.  A path or a package is its string, so
  # it is checked as one too (a string starting with "/" was taken as a
  # path, line ends and all).
  envValue = lib.mkOptionType {
    name = "envValue";
    description = "environment value (string, path, package or integer; no line ends)";
    descriptionClass = "noun";
    check = x: builtins.isInt x || (lib.isStringLike x && chk.isSingleLine (toString x));
    merge = lib.mergeEqualOption;
  };

  # A service's `environment`: the names are written into the same quoted
  # assignment, where a line end would still end the line
  # (`"A\nExecStartPre=/bin/evil\nB" = "1"` added a setting, which only
  # `systemd.checkUnits` caught); a bad name is a type error of the
  # definition.
  envAttrs = lib.types.addCheck (types.attrsOf (types.nullOr envValue))
    (as: builtins.all chk.isSingleLine (builtins.attrNames as)) // {
      description = "attribute set of environment values (names and values without line ends)";
    };

  # Quote an Environment= assignment as systemd unquotes it.
  envAssignment = name: value:
    "\"${lib.replaceStrings [ "\\" "\"" "%" ] [ "\\\\" "\\\"" "%%" ] "${name}=${toString value}"}\"";

  # A unit file name (systemd.unit(5)): name.type, no slash.
  unitName = types.strMatching "[a-zA-Z0-9:_.@\\-]+\\.(service|socket|timer|target|path|mount|automount|swap|slice|scope|device)";

  # A unit file name as a generated unit may have it: as `unitName`, plus
  # the `\xNN` escapes of `escapePath` (mount and swap units).
  isUnitFileName = n:
    builtins.match "[a-zA-Z0-9:_.@\\\\-]+\\.(service|socket|timer|target|path|mount|automount|swap|slice|scope|device)" n != null
    && builtins.stringLength n <= 255;

  # The characters `systemd-escape --path` writes as \xNN (besides "/",
  # which separates, and a leading "."); letters, digits and ":_." stay.
  escapedChars = lib.stringToCharacters " !\"#$%&'()*+,-;<=>?@[\\]^`{|}~";
  escapedCodes = map (c: "\\x${c}") [
    "20" "21" "22" "23" "24" "25" "26" "27" "28" "29" "2a" "2b" "2c" "2d" "3b"
    "3c" "3d" "3e" "3f" "40" "5b" "5c" "5d" "5e" "60" "7b" "7c" "7d" "7e"
  ];

  # Whether `escapePath` can name `p`: printable ASCII only.
  isEscapablePath = p: builtins.match "[ -~]*" p != null;

  # `systemd-escape --path P`: the unit name stem of a mount point or a
  # device ("/" is "-", "/mnt/my-data" is "mnt-my\x2ddata").  P must be
  # printable ASCII (`isEscapablePath`) and normalized.
  escapePath = p:
    let
      trimmed = lib.removeSuffix "/" (lib.removePrefix "/" p);
      escaped = builtins.replaceStrings ([ "/" ] ++ escapedChars) ([ "-" ] ++ escapedCodes) trimmed;
    in
    if trimmed == "" then "-"
    else if lib.hasPrefix "." escaped then "\\x2e${lib.removePrefix "." escaped}"
    else escaped;

  # The unit files of one systemd instance (system or user): NixOS's
  # `systemd.units`, which services, timers, sockets, mounts and swaps are
  # turned into.  `name` is the unit file name.
  unitsOption = description: mkOption {
    type = types.attrsOf (types.submodule {
      options = {
        enable = mkOption {
          type = types.bool;
          default = true;
          description = "Whether the unit file is generated.";
        };
        text = mkOption {
          type = types.str;
          description = "The text of the unit file (two different definitions are an error).";
        };
        wantedBy = unitNames "Units that want this one: a link in <unit>.wants/.";
        requiredBy = unitNames "Units that require this one: a link in <unit>.requires/.";
        restartIfChanged = mkOption {
          type = types.bool;
          default = true;
          description = "Whether the unit is restarted at activation when its file changed.";
        };
        stopIfChanged = mkOption {
          type = types.bool;
          default = true;
          description = "Whether a changed unit is stopped before the new files are in place and started after (else restarted).";
        };
        reloadIfChanged = mkOption {
          type = types.bool;
          default = false;
          description = "Whether a changed unit is reloaded instead of restarted.";
        };
        _checkOrigins = mkOption {
          type = checks.originsType;
          internal = true;
          visible = false;
          default = [ ];
          description = "Where the lines of the unit file come from, for the errors of systemd-analyze verify.";
        };
      };
    });
    default = { };
    inherit description;
  };

  # The command of a `systemd-analyze verify` check of the unit files laid
  # out under etc/systemd/DIR (system or user) of the build directory.
  # Errors located in a unit file (and units refused for a bad setting)
  # fail; lines about what the building host lacks (a command, a unit) do
  # not; anything else means verify could not run here.
  verifyCommand = dir: ''
    isolated "$program" verify --man=no --recursive-errors=no "$PWD"/etc/systemd/${dir}/* >verify.out 2>&1
    status=$?
    cat verify.out
    [ "$status" -ne 0 ] || exit 0
    if grep -q -E -e "^$PWD/etc/systemd/${dir}/[^:]+:[0-9]+: |bad unit file setting|has fatal error|Refusing" verify.out; then
      exit 1
    fi
    other=$(grep -v -E -e "is not executable|not found|^$" verify.out | head -n 1)
    [ -n "$other" ] || exit 0
    echo "systemd-analyze verify cannot run on this build host: $other" >.not-run
    exit 1
  '';

  # What every unit declares (NixOS's commonUnitOptions, the part declos uses).
  unitNames = description: mkOption {
    type = types.listOf unitStr;
    default = [ ];
    inherit description;
  };

  commonUnitOptions = {
    enable = mkOption {
      type = types.bool;
      default = true;
      description = "Whether the unit is generated; a disabled unit is left out entirely.";
    };
    description = mkOption {
      type = unitStr;
      default = "";
      description = "Description= of the unit, shown by systemctl and in the journal.";
    };
    documentation = unitNames "Documentation= URLs of the unit.";
    requires = unitNames "Units this one requires (Requires=).";
    wants = unitNames "Units this one wants (Wants=).";
    after = unitNames "Units this one starts after (After=).";
    before = unitNames "Units this one starts before (Before=).";
    bindsTo = unitNames "BindsTo= units.";
    partOf = unitNames "PartOf= units.";
    conflicts = unitNames "Conflicts= units.";
    wantedBy = unitNames "Units that want this one: a link in <unit>.wants/ (e.g. multi-user.target).";
    requiredBy = unitNames "Units that require this one: a link in <unit>.requires/.";
    unitConfig = mkOption {
      type = types.attrsOf unitOption;
      default = { };
      example = { RequiresMountsFor = "/data"; };
      description = "More settings of the [Unit] section.";
    };
    restartTriggers = mkOption {
      type = types.listOf types.unspecified;
      default = [ ];
      description = "When any of these (files, packages, strings) changes, the unit is restarted at activation.";
    };
    reloadTriggers = mkOption {
      type = types.listOf types.unspecified;
      default = [ ];
      description = ''
        When any of these (files, packages, strings) changes and nothing else
        in the unit did, the unit is reloaded at activation instead of restarted.
      '';
    };
  };

  # Where the lines of a unit file come from (`pkgs.checkConfigFile`'s
  # origins): each key of `unitConfig` and of the type's own section
  # (`section`: the name of its option, e.g. "serviceConfig"), and the
  # [Unit] names rendered from the common options.
  checkOrigins = options: config: section:
    let
      shown = lib.showOption (lib.init options.description.loc);
      keys = opt: value: checks.keyOrigins opt value (k: v: attrsToSection { ${k} = v; });
      named = opt: key: value: checks.valueOriginIn shown opt (attrsToSection { ${key} = value; });
    in
    keys options.unitConfig config.unitConfig
    ++ keys options.${section} config.${section}
    ++ [ (named options.description "Description" config.description) ]
    ++ lib.mapAttrsToList (n: key: named options.${n} key (lib.concatStringsSep " " config.${n})) {
      documentation = "Documentation"; requires = "Requires"; wants = "Wants"; after = "After";
      before = "Before"; bindsTo = "BindsTo"; partOf = "PartOf"; conflicts = "Conflicts";
    };

  # The internal option carrying a unit's origins.
  checkOriginsOption = origins: mkOption {
    type = checks.originsType;
    internal = true;
    visible = false;
    readOnly = true;
    default = origins;
    description = "Where the lines of the unit file come from, for the errors of systemd-analyze verify.";
  };

  # The [Unit] section of a unit with the options above.
  unitSection = u:
    let
      names = key: xs: lib.optionalAttrs (xs != [ ]) { ${key} = lib.concatStringsSep " " xs; };
    in
    attrsToSection (
      lib.optionalAttrs (u.description != "") { Description = u.description; }
      // names "Documentation" u.documentation
      // names "Requires" u.requires
      // names "Wants" u.wants
      // names "After" u.after
      // names "Before" u.before
      // names "BindsTo" u.bindsTo
      // names "PartOf" u.partOf
      // names "Conflicts" u.conflicts
      // lib.optionalAttrs (u.restartTriggers != [ ]) {
        X-Restart-Triggers = builtins.hashString "sha256" (toString u.restartTriggers);
      }
      // lib.optionalAttrs (u.reloadTriggers != [ ]) {
        X-Reload-Triggers = builtins.hashString "sha256" (toString u.reloadTriggers);
      }
      // u.unitConfig);
}
