# File systems and swap: `fileSystems.<mountpoint>` and `swapDevices`, with
# NixOS's options and defaults, rendered as systemd units (`systemd.units`,
# so /etc/systemd/system/<escaped>.mount and .swap) rather than as an
# /etc/fstab: the distribution's fstab stays its own (it keeps /, /boot and
# what it mounts), and a unit in /etc/systemd/system takes precedence over
# the one systemd's fstab generator makes for the same mount point.
#
#   fileSystems."/mnt/scratch" = { device = "tmpfs"; fsType = "tmpfs"; options = [ "size=64m" ]; };
#   fileSystems."/srv/www" = { device = "/home/alice/site"; options = [ "bind" "ro" ]; };
#   fileSystems."/data" = { device = "/dev/disk/by-label/data"; fsType = "ext4"; };
#   swapDevices = [ { device = "/var/swapfile"; size = 1024; } ];
#
# A mount is wanted by local-fs.target (remote-fs.target for network file
# systems) and, without `nofail`, required by it, as systemd's fstab
# generator does; activation starts a new one (mounting it), unmounts one no
# longer declared, and reloads a changed one (a remount with the new
# options: a new device or type needs an unmount first, as in NixOS).  Block
# devices are checked by systemd-fsck@ first unless `noCheck`; `autoFormat`
# makes a file system when the device has none (systemd-makefs).  The root
# file system is the host's: a "/" entry only gets a warning.
{ config, options, lib, ... }:

let
  inherit (lib) mkOption types;
  sd = import ../system/systemd-lib.dcl { inherit lib; };
  chk = import ../config/checks-lib.dcl { inherit lib; };

  networkTypes = [ "nfs" "nfs4" "cifs" "smb3" "smbfs" "sshfs" "fuse.sshfs" "glusterfs" "ceph" "9p" "davfs" "iscsi" ];
  noFsckTypes = [ "auto" "none" "tmpfs" "ramfs" "proc" "sysfs" "devtmpfs" "overlay" "squashfs" "iso9660" "btrfs" "xfs" "zfs" ] ++ networkTypes;

  # fstab's UUID=… LABEL=… spellings, as paths (systemd's fstab generator does the same).
  devicePath = d:
    let
      m = builtins.match "(UUID|LABEL|PARTUUID|PARTLABEL)=(.*)" d;
      dir = { UUID = "by-uuid"; LABEL = "by-label"; PARTUUID = "by-partuuid"; PARTLABEL = "by-partlabel"; };
    in
    if m == null then d else "/dev/disk/${dir.${builtins.head m}}/${builtins.elemAt m 1}";

  isDevice = d: lib.hasPrefix "/dev/" d;

  # "%" starts a specifier in a unit file.
  esc = builtins.replaceStrings [ "%" ] [ "%%" ];

  # A device as unit files and unit names can hold it: printable ASCII,
  # no space and no double quote.
  plainDevice = d: builtins.match "[!#-~]+" d != null;

  # A file system type, written into Type= and as systemd-makefs' first
  # argument: one word, so that `fsType = "ext4 /dev/sdb"` cannot make
  # systemd-makefs format another device than the declared one.
  fsTypeName = chk.checkedStr "fsType"
    "file system type name (a letter or digit, then letters, digits, \".\", \"_\", \"+\", \"-\"; e.g. \"ext4\", \"fuse.sshfs\", \"nfs4\", \"auto\")"
    (x: builtins.match "[A-Za-z0-9][A-Za-z0-9._+-]*" x != null);

  # A mount or swap option: one item of the comma-separated Options= line.
  plainOption = o: builtins.match "[^,]+" o != null && chk.isSingleLine o;

  # A device named by path is a normalized one: `/dev/../etc/passwd` starts
  # with /dev/, so autoFormat would make a file system on /etc/passwd (it
  # has no file system signature).  fstab's `LABEL=…`, `UUID=…` name an
  # entry of /dev/disk/by-label etc., never a path (`LABEL=../../sdb` is
  # /dev/sdb).  "//server/share" (cifs) and "host:/export" (nfs) are not
  # local paths.
  normalDevice = d:
    let
      m = builtins.match "(UUID|LABEL|PARTUUID|PARTLABEL)=(.*)" d;
    in
    if m != null then
      plainLabel (builtins.elemAt m 1)
    else
      !(lib.hasPrefix "/" d && !lib.hasPrefix "//" d) || chk.isNormalizedAbsolute d;

  # A label as udev names it under /dev/disk/by-label (which escapes "/"
  # and blanks as \x2f, \x20): no "/" (`label = "../../sdb"` would be
  # /dev/sdb), no blank or double quote, not "." or "..".
  plainLabel = l: l == null || builtins.match "[!#-.0-~]+" l != null && l != "." && l != "..";
  labelRule = "printable ASCII without \"/\", spaces or double quotes, and not \".\" or \"..\"";

  # A swap file is also written into the `sh -c` script that makes it: no
  # character the shell reads as syntax (`/var/x>/etc/shadow` would
  # truncate /etc/shadow).
  shellSafePath = p: builtins.match "[A-Za-z0-9/._+@,:=-]+" p != null;

  fileSystemOpts = { name, config, ... }: {
    options = {
      mountPoint = mkOption {
        type = types.str;
        default = name;
        example = "/mnt/usb";
        description = "Where the file system is mounted: a normalized absolute path (the attribute name by default).";
      };
      device = mkOption {
        type = types.nullOr types.nonEmptyStr;
        default = null;
        example = "/dev/sda1";
        description = ''
          What to mount: a device (`/dev/…`, or fstab's `UUID=…`,
          `LABEL=…`), a directory for a bind mount, or a source name
          such as "tmpfs".
        '';
      };
      label = mkOption {
        type = types.nullOr types.nonEmptyStr;
        default = null;
        example = "root-partition";
        description = "The label of the device to mount (instead of `device`): /dev/disk/by-label/<label>.";
      };
      fsType = mkOption {
        type = fsTypeName;
        default = "auto";
        example = "ext4";
        description = "The type of the file system (`auto`: mount(8) finds it).";
      };
      options = mkOption {
        type = types.nonEmptyListOf types.nonEmptyStr;
        default = [ "defaults" ];
        example = [ "noatime" "nofail" ];
        description = ''
          Mount options (mount(8)), joined with commas; "bind" makes a
          bind mount, "nofail" keeps a failure from failing local-fs.target.
        '';
      };
      depends = mkOption {
        type = types.listOf types.nonEmptyStr;
        default = [ ];
        example = [ "/persist" ];
        description = "Other mount points that must be mounted first (RequiresMountsFor=); parents are implied.";
      };
      neededForBoot = mkOption {
        type = types.bool;
        default = false;
        description = ''
          In NixOS, mount the file system in the initrd.  declos does not
          build the host's initrd: the file system is mounted by systemd
          with local-fs.target, and a warning says so.
        '';
      };
      autoFormat = mkOption {
        type = types.bool;
        default = false;
        description = ''
          Whether a file system of `fsType` is made on the device when it
          has none (systemd-makefs, before the mount); a device that
          already holds a file system is never formatted.
        '';
      };
      noCheck = mkOption {
        type = types.bool;
        default = false;
        description = "Whether the check of a block device (systemd-fsck@) before mounting is skipped.";
      };
    };
    config.device = lib.mkIf (config.label != null) (lib.mkDefault "/dev/disk/by-label/${config.label}");
  };

  swapOpts = { config, ... }: {
    options = {
      device = mkOption {
        type = types.nonEmptyStr;
        example = "/var/swapfile";
        description = "The swap device or file (the label's by-label path when `label` is set).";
      };
      label = mkOption {
        type = types.nullOr types.nonEmptyStr;
        default = null;
        description = "The label of the swap device (instead of `device`).";
      };
      size = mkOption {
        type = types.nullOr types.ints.positive;
        default = null;
        example = 2048;
        description = ''
          The size of a swap file in MiB: the file is made (and mkswap'ed)
          before it is used when it is missing or of another size.  Null:
          the device exists already.
        '';
      };
      priority = mkOption {
        type = types.nullOr (types.ints.between 0 32767);
        default = null;
        description = "The priority of the swap space (higher is used first); null: the kernel's.";
      };
      discardPolicy = mkOption {
        type = types.nullOr (types.enum [ "once" "pages" "both" ]);
        default = null;
        description = "TRIM of the swap space: discard once at activation, freed pages, or both.";
      };
      options = mkOption {
        type = types.nonEmptyListOf types.nonEmptyStr;
        default = [ "defaults" ];
        description = "Options of the swap space (swapon(8)).";
      };
    };
    config.device = lib.mkIf (config.label != null) (lib.mkDefault "/dev/disk/by-label/${config.label}");
  };

  fileSystems = lib.attrValues config.fileSystems;
  mounted = builtins.filter (fs: fs.mountPoint != "/") fileSystems;

  unitsFor = fs:
    let
      where = fs.mountPoint;
      what = devicePath fs.device;
      stem = sd.escapePath where;
      mountUnit = "${stem}.mount";
      network = builtins.elem fs.fsType networkTypes || builtins.elem "_netdev" fs.options;
      target = if network then "remote-fs.target" else "local-fs.target";
      bind = builtins.elem "bind" fs.options || builtins.elem "rbind" fs.options;
      block = isDevice what && !bind;
      fsck = block && !fs.noCheck && !(builtins.elem fs.fsType noFsckTypes);
      fsckUnit = "systemd-fsck@${sd.escapePath what}.service";
      makefsUnit = "declos-makefs-${sd.escapePath what}.service";
      deviceUnit = "${sd.escapePath what}.device";
      needs = lib.optional fsck fsckUnit ++ lib.optional (fs.autoFormat && block) makefsUnit;
    in
    {
      ${mountUnit} = {
        text = ''
          [Unit]
          Description=${where} (fileSystems)
          ${lib.optionalString (needs != [ ]) "Requires=${lib.concatStringsSep " " needs}\nAfter=${lib.concatStringsSep " " needs}\n"}${lib.optionalString (fs.depends != [ ]) "RequiresMountsFor=${lib.concatStringsSep " " fs.depends}\n"}
          [Mount]
          What=${esc what}
          Where=${where}
          ${lib.optionalString (fs.fsType != "auto" && fs.fsType != "none") "Type=${esc fs.fsType}\n"}Options=${esc (lib.concatStringsSep "," fs.options)}
        '';
        wantedBy = [ target ];
        requiredBy = lib.optional (!builtins.elem "nofail" fs.options) target;
        # a changed mount is remounted with its new options, never unmounted
        reloadIfChanged = true;
      };
    } // lib.optionalAttrs (fs.autoFormat && block) {
      ${makefsUnit} = {
        text = ''
          [Unit]
          Description=Make a file system on ${esc what} (fileSystems.${where}.autoFormat)
          DefaultDependencies=no
          BindsTo=${deviceUnit}
          After=${deviceUnit}
          Before=${mountUnit} ${fsckUnit} shutdown.target
          Conflicts=shutdown.target

          [Service]
          Type=oneshot
          RemainAfterExit=yes
          ExecStart=/lib/systemd/systemd-makefs ${esc fs.fsType} ${esc what}
          TimeoutSec=0
        '';
        restartIfChanged = false;
      };
    };

  swapUnitsFor = sw:
    let
      what = devicePath sw.device;
      stem = sd.escapePath what;
      mkswapUnit = "declos-mkswap-${stem}.service";
      opts = sw.options ++ lib.optional (sw.discardPolicy != null) "discard=${sw.discardPolicy}";
      sizeBytes = toString (sw.size * 1048576);
    in
    {
      "${stem}.swap" = {
        text = ''
          [Unit]
          Description=${esc what} (swapDevices)
          ${lib.optionalString (sw.size != null) "Requires=${mkswapUnit}\nAfter=${mkswapUnit}\n"}
          [Swap]
          What=${esc what}
          ${lib.optionalString (sw.priority != null) "Priority=${toString sw.priority}\n"}Options=${esc (lib.concatStringsSep "," opts)}
        '';
        wantedBy = [ "swap.target" ];
        restartIfChanged = false;
      };
    } // lib.optionalAttrs (sw.size != null) {
      ${mkswapUnit} = {
        text = ''
          [Unit]
          Description=Make the swap file ${what} (swapDevices)
          DefaultDependencies=no
          RequiresMountsFor=${what}
          Before=${stem}.swap shutdown.target
          Conflicts=shutdown.target

          [Service]
          Type=oneshot
          RemainAfterExit=yes
          ExecStart=/bin/sh -e -c 'if [ "$$(stat -c %%s ${what} 2>/dev/null)" != ${sizeBytes} ]; then swapoff ${what} 2>/dev/null || true; rm -f ${what}; fallocate -l ${sizeBytes} ${what} || dd if=/dev/zero of=${what} bs=1M count=${toString sw.size}; chmod 0600 ${what}; mkswap ${what}; fi'
        '';
        restartIfChanged = false;
      };
    };

  # A mount point or swap file written into a unit: normalized, absolute,
  # printable ASCII without the characters unit files and the shell above
  # would take apart.
  plainPath = p: chk.isNormalizedAbsolute p && sd.isEscapablePath p && builtins.match ".*[ \"'$%\\\\;`].*" p == null;

  fsAssertions = key: fs:
    let
      at = chk.definedIn (chk.attrLocations options.fileSystems key);
      p = lib.showOption [ "fileSystems" key ];
    in
    [
      {
        assertion = plainPath fs.mountPoint;
        message = "${p}${at}: the mount point ${chk.show fs.mountPoint} must be a normalized absolute path of printable ASCII without spaces, quotes, \"$\", \"%\", \";\" or \"\\\".";
      }
      {
        assertion = fs.device != null;
        message = "${p}${at}: neither device nor label is set: declos needs to know what to mount.";
      }
      {
        assertion = fs.device == null || plainDevice fs.device;
        message = "${p}${at}: the device ${chk.show fs.device} must be printable ASCII without spaces or double quotes.";
      }
      {
        assertion = fs.device == null || normalDevice fs.device;
        message = "${p}${at}: the device ${chk.show fs.device} must be a normalized path (no \".\" or \"..\" component, no repeated or trailing \"/\"), or UUID=, LABEL=, PARTUUID=, PARTLABEL= followed by ${labelRule}.";
      }
      {
        assertion = !fs.autoFormat || fs.fsType != "auto";
        message = "${p}${at}: autoFormat needs fsType to name the file system to make (it is \"auto\").";
      }
      {
        assertion = lib.all plainOption fs.options;
        message = "${p}.options${at}: an option may not contain a comma or a line end (each is one mount option).";
      }
      {
        assertion = lib.all plainPath fs.depends;
        message = "${p}.depends${at}: each of ${chk.show fs.depends} must be a normalized absolute path of printable ASCII without spaces, quotes, \"$\", \"%\", \";\" or \"\\\" (they are written into RequiresMountsFor=, separated by spaces).";
      }
      {
        assertion = plainLabel fs.label;
        message = "${p}.label${at}: the label ${chk.show fs.label} must be ${labelRule}.";
      }
      {
        assertion = fs.device == null || !fs.autoFormat || isDevice (devicePath fs.device);
        message = "${p}${at}: autoFormat makes a file system on a device under /dev; ${chk.show fs.device} is not one.";
      }
    ];

  swapAssertions = i: sw:
    let
      at = chk.definedIn (chk.optionLocations options.swapDevices (_: true));
      dev = devicePath sw.device;
    in
    [
      {
        assertion = plainPath dev || isDevice dev && plainDevice dev;
        message = "swapDevices, entry ${toString i}${at}: the device ${chk.show sw.device} must be a normalized absolute path of printable ASCII without spaces, quotes, \"$\", \"%\", \";\" or \"\\\".";
      }
      {
        assertion = normalDevice sw.device;
        message = "swapDevices, entry ${toString i}${at}: the device ${chk.show sw.device} must be a normalized path (no \".\" or \"..\" component, no repeated or trailing \"/\"), or UUID=, LABEL=, PARTUUID=, PARTLABEL= followed by ${labelRule}.";
      }
      {
        assertion = sw.size == null || !isDevice dev;
        message = "swapDevices, entry ${toString i}${at}: size makes a swap file; ${chk.show sw.device} is a device.";
      }
      {
        assertion = sw.size == null || shellSafePath dev;
        message = "swapDevices, entry ${toString i}${at}: the swap file ${chk.show sw.device} is made by a shell script (size is set): it may hold only letters, digits and \"/\", \".\", \"_\", \"+\", \"@\", \",\", \":\", \"=\", \"-\".";
      }
      {
        assertion = lib.all plainOption sw.options;
        message = "swapDevices, entry ${toString i}, options${at}: an option may not contain a comma or a line end (each is one swap option); got ${chk.show sw.options}.";
      }
      {
        assertion = plainLabel sw.label;
        message = "swapDevices, entry ${toString i}, label${at}: the label ${chk.show sw.label} must be ${labelRule}.";
      }
    ];
in
{
  options = {
    fileSystems = mkOption {
      type = types.attrsOf (types.submodule fileSystemOpts);
      default = { };
      example = lib.literalExpression ''
        { "/mnt/scratch" = { device = "tmpfs"; fsType = "tmpfs"; options = [ "size=1g" "mode=1777" ]; };
          "/srv/www" = { device = "/home/alice/site"; options = [ "bind" ]; }; }
      '';
      description = ''
        File systems to mount, by mount point: each becomes a systemd
        mount unit in /etc/systemd/system (the host's /etc/fstab is left
        alone).  The root file system stays the host's.
      '';
    };

    swapDevices = mkOption {
      type = types.listOf (types.submodule swapOpts);
      default = [ ];
      example = lib.literalExpression ''[ { device = "/var/swapfile"; size = 2048; } { label = "swap"; } ]'';
      description = ''
        Swap devices and files, each a systemd swap unit wanted by
        swap.target; a file with `size` is made first (again when the
        size changes).  A switch that drops one turns it off (swapoff).
      '';
    };
  };

  config = {
    systemd.units = lib.mkMerge (map unitsFor (builtins.filter (fs: fs.device != null) mounted)
      ++ map swapUnitsFor config.swapDevices);

    assertions = lib.concatLists (lib.mapAttrsToList fsAssertions config.fileSystems)
      ++ lib.concatLists (lib.imap1 swapAssertions config.swapDevices);

    warnings =
      lib.optional (config.fileSystems ? "/")
        "fileSystems.\"/\" is left to the host distribution (its /etc/fstab and initrd mount the root file system): declos generates no unit for it."
      ++ map (fs: "fileSystems.\"${fs.mountPoint}\".neededForBoot: declos does not build the host's initrd; ${fs.mountPoint} is mounted by systemd with local-fs.target.")
        (builtins.filter (fs: fs.neededForBoot && fs.mountPoint != "/") fileSystems);
  };
}
