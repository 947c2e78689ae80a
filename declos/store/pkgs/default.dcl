/* Build helpers for modules, reachable as `import <declos/pkgs>`.

   Every helper returns a derivation made with `derivation`; the simple ones
   use declos' in-process builders (see declos/store/builders.py for the
   attributes each reads), so they cost no process:

     builtin:text      text, executable ("1"), destination ("/bin/x")
     builtin:template  template (a file), templateName, vars (JSON),
                       executable, destination
     builtin:linkfarm  entries (JSON list of { name; path; })
     builtin:buildenv  paths (space-separated), ignoreCollisions

   `runCommand` runs its script with `/bin/sh -e -c`; there is no package
   set underneath, so the builder sees the host's /usr/bin:/bin after the
   `bin` directories of its inputs.

   Every other attribute is a package of the host distribution's index
   (`pkgs.htop`, `with pkgs; [ vim ]`; host_index.py), a derivation whose
   output links the host's files of that package (bin/, sbin/ and the
   manual pages, completions and desktop files under share/) and whose
   `hostPackage` attribute names it, so that environment.systemPackages
   installs it with the host's package manager.  The helpers above win
   over a host package of the same name.

   Example:
     let pkgs = import <declos/pkgs>; in
     pkgs.runCommand "greeting" { } "echo hello > $out"
*/

let
  system = builtins.currentSystem;

  mkBuiltin = builder: attrs: derivation (attrs // { inherit system builder; });

  shebang = "#!/bin/sh\n";

  checkPathsToLink = name: pathsToLink:
    if pathsToLink == [ "/" ] then true
    else throw "buildEnv '${name}': only pathsToLink = [ \"/\" ] is supported by declos";

  # Where checkConfigFile looks for a checker given by name (the host's: there
  # is no package set underneath).
  programDirs = [ "/usr/local/sbin" "/usr/local/bin" "/usr/sbin" "/usr/bin" "/sbin" "/bin" ];

  lines = text: builtins.filter builtins.isString (builtins.split "\n" text);

  # The builder of checkConfigFile (run by /bin/sh in the build directory).
  # Lays the files out under the build directory at their targets, runs
  # `command`, and writes "passed" or "not run: REASON" to $out; a failure
  # prints the located error and exits 1, which fails the build.
  checkBuilder = ''
    notrun() {
      printf 'not run: %s\n' "$1" | head -n 1 >"$out"
      exit 0
    }

    found= unusable=
    for p in $programCandidates; do
      if [ -f "$p" ] && [ -x "$p" ]; then found=$p; break; fi
      [ ! -e "$p" ] || unusable=$p
    done
    if [ -z "$found" ]; then
      [ -z "$unusable" ] || notrun "$what: $unusable is not an executable file"
      notrun "$what: $programMissing"
    fi
    program=$found

    scratch=$PWD
    set -- $fileSources
    for target in $fileTargets; do
      mkdir -p "$scratch/$(dirname "$target")"
      cp "$1" "$scratch$target"
      chmod 0644 "$scratch$target"
      shift
    done
    set -- $fileTargets
    file=$scratch$1
    export program file

    # isolated CMD...: CMD as an unprivileged user (65534) in fresh user,
    # mount and network namespaces, keeping the namespace's capabilities:
    # binding privileged ports and netlink work without touching the host,
    # and /tmp is a private tmpfs (systemd-analyze verify writes there; the
    # build directory and the store stay where they were).  Plainly where the
    # host allows no user namespaces.
    cat >"$scratch/.isolated" <<'EOS'
    case "$1" in
      outer)
        shift
        # The build directory and the store, held open: after the tmpfs is
        # on /tmp they are bound back at their paths from these.
        exec 3<"$scratch" 4<"$NIX_STORE" || exit 121
        mount -t tmpfs -o mode=1777 tmpfs /tmp || exit 121
        case "$NIX_STORE" in
          /tmp/*) mkdir -p "$NIX_STORE" && mount --no-canonicalize --rbind /proc/self/fd/4 "$NIX_STORE" || exit 121 ;;
        esac
        case "$scratch" in
          /tmp/*) mkdir -p "$scratch" && mount --no-canonicalize --bind /proc/self/fd/3 "$scratch" || exit 121 ;;
        esac
        exec 3<&- 4<&-
        cd "$scratch" || exit 121
        exec unshare --user --map-user=65534 --map-group=65534 --net --keep-caps -- \
          /bin/sh "$scratch/.isolated" inner "$@" ;;
      inner)
        shift
        ip link set lo up 2>/dev/null
        for v in ipv4 ipv6; do echo 1 2>/dev/null >"/proc/sys/net/$v/ip_nonlocal_bind"; done
        exec "$@" ;;
    esac
    EOS
    export scratch
    isolated() {
      if unshare --user --map-root-user --mount -- \
          unshare --user --map-user=65534 --map-group=65534 --net --keep-caps true 2>/dev/null; then
        unshare --user --map-root-user --mount -- /bin/sh "$scratch/.isolated" outer "$@"
      else
        "$@"
      fi
    }

    log=$scratch/.check-output
    rm -f "$scratch/.not-run"
    ( eval "$command" ) >"$log" 2>&1
    status=$?
    if [ "$status" -eq 0 ]; then
      echo passed >"$out"
      exit 0
    fi
    sed -i "s#$scratch##g" "$log"
    if [ -s "$scratch/.not-run" ]; then
      notrun "$(cat "$scratch/.not-run")"
    fi
    if [ "$status" -eq 126 ] || [ "$status" -eq 127 ]; then
      notrun "$what cannot be run on this build host: $(tail -n 1 "$log")"
    fi
    if [ -n "$hostDependent" ] && reason=$(grep -E -m 1 -e "$hostDependent" "$log"); then
      notrun "$what stopped at what depends on the build host: $reason"
    fi

    # The first output line naming a checked file and a line of it.
    located='(/etc/[^ :"]+)(:|:? line )([0-9]+)'
    first=$(grep -E -m 1 -e "$located" "$log")
    [ -n "$first" ] || first=$(grep -v -E -e "$ignoreOutput" "$log" | head -n 1)
    where=$(printf '%s\n' "$first" | sed -E -n "s#.*$located.*#\1 \3#p" | head -n 1)
    labels=
    if [ -n "$where" ]; then
      set -- $where
      if [ -f "$scratch$1" ]; then
        want=$(sed -n "$2p" "$scratch$1" | sed "s#$scratch##g")
        labels=$(want="$want" path="$1" awk '
          function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
          BEGIN { want = trim(ENVIRON["want"]) }
          { i = index($0, "\t"); target = substr($0, 1, i - 1); rest = substr($0, i + 1)
            i = index(rest, "\t"); label = substr(rest, 1, i - 1)
            if (want != "" && (target == "" || target == ENVIRON["path"]) \
                && trim(substr(rest, i + 1)) == want && !(label in seen)) {
              seen[label] = 1; printf "%s%s", (n++ ? "; " : ""), label } }' "$originsPath")
      fi
    fi
    if [ -n "$labels" ]; then
      echo "error: $labels: $first"
    else
      echo "error: $(printf '%s' "$fileTargets" | tr ' ' ','), generated from $origin: $first"
    fi
    grep -v -F -x -e "$first" "$log" | grep -v -E -e "$ignoreOutput" | head -n 6 | sed 's/^/  /'
    echo "(checked with $what before activation; $hint turns this check off)"
    exit 1
  '';

  # The builder of a host package (`pkgs.<name>`): the package's files, from
  # dpkg when it is installed at that version, else from its .deb (fetched
  # with `apt-get download`, which needs the network), and the links its
  # maintainer script makes with update-alternatives (vim's /usr/bin/vim is
  # one), each linked from $out by the host path it has (or will have once
  # the switch installed the package).
  hostPackageBuilder = ''
    set -eu
    if [ "$manager" != apt ]; then
      echo "declos: listing the files of a $manager package is not supported (only apt's)"
      exit 1
    fi
    work=$PWD
    status=$(dpkg-query -W -f="''${db:Status-Abbrev}|''${Version}\n" -- "$hostPackage" 2>/dev/null | head -n 1 || true)
    if [ "$status" = "ii |$version" ]; then
      dpkg-query -L -- "$hostPackage" | grep '^/' >"$work/files" || true
      for f in "/var/lib/dpkg/info/$hostPackage.postinst" "/var/lib/dpkg/info/$hostPackage:$arch.postinst"; do
        if [ -f "$f" ]; then cp "$f" "$work/postinst"; fi
      done
    else
      cd "$work"
      if ! apt-get download -q -- "$hostPackage=$version" >"$work/download.log" 2>&1; then
        cat "$work/download.log"
        echo "declos: $hostPackage $version is not installed on this host, and downloading it (to list its files) failed: is the network there, is the index current (apt-get update)?"
        exit 1
      fi
      for deb in "$work"/*.deb; do :; done
      dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -e 's#^\./#/#' -e '/\/$/d' | grep '^/' >"$work/files" || true
      dpkg-deb -e "$deb" "$work/control"
      if [ -f "$work/control/postinst" ]; then cp "$work/control/postinst" "$work/postinst"; fi
    fi
    if [ -f "$work/postinst" ]; then
      # update-alternatives --install LINK NAME PATH PRIO [--slave LINK NAME PATH]...
      sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' "$work/postinst" | awk '
        /update-alternatives/ && /--install/ {
          for (i = 1; i < NF; i++)
            if (($i == "--install" || $i == "--slave") && $(i + 1) ~ /^\// && $(i + 1) !~ /[$`]/) print $(i + 1)
        }' >>"$work/files"
    fi
    mkdir -p "$out"
    link() {
      if [ ! -e "$out/$2" ] && [ ! -L "$out/$2" ]; then
        mkdir -p "$(dirname "$out/$2")"
        ln -s "$1" "$out/$2"
      fi
    }
    while IFS= read -r f; do
      if [ -d "$f" ] && [ ! -L "$f" ]; then continue; fi
      base=''${f##*/}
      case "$f" in
        /usr/bin/*/* | /bin/*/* | /usr/sbin/*/* | /sbin/*/* | /usr/games/*/*) ;;
        /usr/bin/* | /bin/* | /usr/games/*) link "$f" "bin/$base" ;;
        /usr/sbin/* | /sbin/*) link "$f" "sbin/$base"; link "$f" "bin/$base" ;;
        /usr/share/man/* | /usr/share/info/* | /usr/share/applications/* | /usr/share/icons/* | \
        /usr/share/pixmaps/* | /usr/share/bash-completion/* | /usr/share/zsh/* | \
        /usr/share/fish/* | /usr/share/metainfo/*)
          link "$f" "share/''${f#/usr/share/}" ;;
      esac
    done <"$work/files"
  '';

  # pkgs.<name> for the host's package `info` ({ name; version; storeVersion; arch; manager; }).
  hostPackage = info:
    let
      drv = derivation {
        name = "${info.name}-${info.storeVersion}";
        inherit system;
        builder = "/bin/sh";
        args = [ "-c" hostPackageBuilder ];
        hostPackage = info.name;
        inherit (info) version arch manager;
        PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
      };
    in
    drv // {
      hostPackage = info.name;
      pname = info.name;
      inherit (info) version;
      meta = {
        description = "the host's package ${info.name} ${info.version} (installed with ${info.manager})";
        mainProgram = info.name;
      };
    };


  # Writers of scripts for an interpreter of the host (there is no package set).
  scriptWriter = { interpreter, check ? null }: name: text:
    let
      bin = builtins.match "(.*/)?bin/([^/]+)" name;
      file = if bin != null then builtins.elemAt bin 1 else name;
      content = "#!${interpreter}\n${text}";
    in
    if check == null then
      builders.writeTextFile {
        name = file;
        text = content;
        executable = true;
        destination = if bin != null then "/${name}" else "";
      }
    else
      builders.runCommand file { inherit content; passAsFile = [ "content" ]; } ''
        ${check} "$contentPath" "writePython3 '${file}'"
        ${if bin != null then ''mkdir -p "$out/bin"; target="$out/${name}"'' else ''target=$out''}
        cp "$contentPath" "$target"
        chmod 0555 "$target"
      '';

  # writeBash "name" "text", and nixpkgs' newer writeBash "name" { } "text".
  withArgs = writer: name: argsOrText:
    if builtins.isAttrs argsOrText && !(argsOrText ? outPath) then writer argsOrText name
    else writer { } name argsOrText;

  bashWriter = _args: scriptWriter { interpreter = "/bin/bash"; };

  shellQuote = s: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] s + "'";

  # The compile check of writePython3: a syntax error as "writePython3 'x', line N: …"
  # (N counts the lines of the script as written, without the #! line).
  pythonCheck = builtins.concatStringsSep "\n" [
    "import sys"
    "try:"
    "    compile(open(sys.argv[1]).read().split(chr(10), 1)[1], sys.argv[2], 'exec')"
    "except SyntaxError as e:"
    "    sys.exit(f'{e.filename}, line {e.lineno}: {e.msg}')"
  ];

  python3Writer = { libraries ? [ ], flakeIgnore ? [ ], ... }: name:
    if libraries != [ ] then
      throw "writePython3 '${name}': `libraries` are not supported by declos: install the host's python3-… packages with environment.hostPackages"
    else scriptWriter {
      interpreter = "/usr/bin/python3";
      # nixpkgs lints with flake8; declos checks that the script compiles.
      check = "/usr/bin/python3 -I -c ${shellQuote pythonCheck}";
    } name;

  builders = rec {

  /* writeTextFile { name; text; executable ? false; destination ? ""; }
     A file holding `text`; with `destination = "/bin/x"` the output is a
     directory and the file is at `$out/bin/x`. */
  writeTextFile = { name, text, executable ? false, destination ? "", ... }:
    mkBuiltin "builtin:text" { inherit name text executable destination; };

  /* writeText "name" "text" */
  writeText = name: text: writeTextFile { inherit name text; };

  /* writeTextDir "share/x" "text": a directory with the file at $out/share/x. */
  writeTextDir = path: text: writeTextFile {
    name = builtins.baseNameOf path;
    inherit text;
    destination = "/${path}";
  };

  /* writeScript "name" "#!/bin/sh ...": an executable file. */
  writeScript = name: text: writeTextFile { inherit name text; executable = true; };

  /* writeScriptBin "name" "...": an executable at $out/bin/name. */
  writeScriptBin = name: text: writeTextFile {
    inherit name text;
    executable = true;
    destination = "/bin/${name}";
  };

  /* writeShellScript "name" "echo hi": an executable /bin/sh script. */
  writeShellScript = name: text: writeTextFile {
    inherit name;
    executable = true;
    text = shebang + text + "\n";
  };

  /* writeShellScriptBin "name" "echo hi": the same, at $out/bin/name. */
  writeShellScriptBin = name: text: writeTextFile {
    inherit name;
    executable = true;
    destination = "/bin/${name}";
    text = shebang + text + "\n";
  };

  /* runCommand "name" { env... } "script writing $out" */
  runCommand = name: env: buildCommand:
    derivation ({
      inherit name system;
      builder = "/bin/sh";
    } // env // {
      args = [ "-e" "-c" buildCommand ];
    });

  /* runCommandLocal: the same as runCommand (there is no remote builder). */
  runCommandLocal = runCommand;

  /* symlinkJoin { name; paths; postBuild ? ""; }: one tree of symlinks
     over several (the first path providing a file wins); `postBuild` runs
     in $out afterwards, as in nixpkgs (its directories are writable then). */
  symlinkJoin = { name, paths, postBuild ? "", ... }@args:
    if postBuild == "" then mkBuiltin "builtin:buildenv" { inherit name paths; }
    else runCommand name (removeAttrs args [ "name" "paths" "postBuild" ] // {
      inherit paths;
    }) ''
      mkdir -p "$out"
      for p in $paths; do
        cp -RsPn --no-preserve=mode "$p/." "$out/"
      done
      chmod -R u+w "$out"
      ${postBuild}
    '';

  /* buildEnv { name; paths; ignoreCollisions ? false; }: like symlinkJoin,
     and two inputs providing the same file is an error unless
     ignoreCollisions (then the first wins). */
  buildEnv = { name, paths, ignoreCollisions ? false, pathsToLink ? [ "/" ], ... }:
    assert checkPathsToLink name pathsToLink;
    mkBuiltin "builtin:buildenv" { inherit name paths ignoreCollisions; };

  /* linkFarm "name" [ { name = "a/b"; path = drv; } ... ]
     or linkFarm "name" { "a/b" = drv; ... }: a directory of symlinks. */
  linkFarm = name: entries:
    let
      list =
        if builtins.isList entries then entries
        else map (n: { name = n; path = entries.${n}; }) (builtins.attrNames entries);
      entry = e: { name = e.name; path = "${e.path}"; };
    in mkBuiltin "builtin:linkfarm" {
      inherit name;
      entries = builtins.toJSON (map entry list);
    };

  /* fetchurl { url; hash; }: a fixed-output download (fetchurl.dcl). */
  fetchurl = (import ./fetchurl.dcl).fetchurl;

  /* writers.writeBash "name" "script" (an executable with #!/bin/bash),
     writers.writeBashBin ("$out/bin/name"), writers.writePython3 "name"
     { } "script" (#!/usr/bin/python3; the build fails unless it compiles)
     and writePython3Bin: nixpkgs' script writers, over the host's
     interpreters. */
  writers = {
    writeBash = withArgs bashWriter;
    writeBashBin = name: withArgs bashWriter "bin/${name}";
    writePython3 = withArgs python3Writer;
    writePython3Bin = name: withArgs python3Writer "bin/${name}";
  };

  /* template { name; src; vars ? {}; executable ? false; destination ? ""; }
     renders the Jinja2 template `src` (a path, copied into the store) with
     `vars` (turned into JSON: derivations become their output paths, and
     are inputs of the result).  Undefined variables are errors
     (StrictUndefined); errors name the template file and line. */
  template = { name, src, vars ? { }, executable ? false, destination ? "", ... }:
    mkBuiltin "builtin:template" {
      inherit name executable destination;
      template = src;
      templateName = builtins.baseNameOf (toString src);
      vars = builtins.toJSON vars;
    };

  /* checkConfigFile { name; files; program; command; what; hint; ... }
     checks generated files with the host's program at build time: the
     derivation `check-<name>`, whose output is one line, "passed" or
     "not run: REASON", and whose build fails when the check does.

       files    [ { target = "/etc/sudoers.d/declos"; source = <file>; } ]:
                laid out under the build directory at their targets;
                `$file` is the first, as the command sees it
       program  the checker: an absolute path, or a name looked up in
                /usr/local/sbin … /bin when the check is built; when it
                is not there the check is "not run" (seen at evaluation
                too, so that the check is built again once it is there)
       command  shell code run in the build directory with `$program`
                and `$file`; exit 0 passes.  `isolated CMD…` runs CMD
                as an unprivileged user in fresh user, mount and network
                namespaces, with a private /tmp; writing a reason to ./.not-run makes a
                failure "not run"
       what     the check as messages name it ("visudo -c")
       hint     how to turn the check off ("security.sudo.checkConfig = false")
       origins  [ { label; text; target ? ""; } ]: where the text of the
                files came from, "option (defined in FILE:LINE)"; a
                failure whose output names a line of a file is reported
                with the label whose text has that line (in that target,
                when the origin names one)
       origin   what the files are generated from, for other failures
       hostDependent  an extended regex: a failure whose output matches
                it stopped at something of the build host (a missing
                certificate, an address), and is "not run" instead
       ignoreOutput   an extended regex of output lines not worth showing

     Example:
       pkgs.checkConfigFile {
         name = "sudoers"; program = "visudo"; what = "visudo -c";
         files = [ { target = "/etc/sudoers.d/declos"; source = sudoers; } ];
         command = ''"$program" -c -f "$file"'';
         hint = "security.sudo.checkConfig = false";
       } */
  checkConfigFile = { name, files, program, command, what, hint, origins ? [ ],
                      origin ? "the configuration", hostDependent ? "",
                      ignoreOutput ? "^declos: nothing to ignore$" }:
    let
      absolute = builtins.substring 0 1 program == "/";
      candidates = if absolute then [ program ] else map (d: "${d}/${program}") programDirs;
      missing =
        if absolute then "${program} does not exist"
        else "${program} is not installed (looked in ${builtins.concatStringsSep ", " programDirs})";
      originLines = builtins.concatStringsSep "" (map (o:
        builtins.concatStringsSep "" (map (l: "${o.target or ""}\t${o.label}\t${l}\n") (lines o.text))) origins);
    in
    derivation {
      name = "check-${name}";
      inherit system program command what hint origin hostDependent ignoreOutput;
      programCandidates = candidates;
      programMissing = missing;
      # Whether evaluation saw the program: the check is found at build time,
      # and this only makes a check that was not run (its program missing) a
      # new derivation, built again, once the program is there.
      programSeen = builtins.any builtins.pathExists candidates;
      builder = "/bin/sh";
      args = [ "-c" checkBuilder ];
      PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
      fileTargets = map (f: f.target) files;
      fileSources = map (f: "${f.source}") files;
      origins = originLines;
      passAsFile = [ "origins" ];
    };
};
in
# Every package of the host's index, each computed when used (declos only),
# then the builders: `hostPackages // builders`, made as one set (the ~64 000
# names are not copied into a second).
if builtins ? __declosHostPackages then builtins.__declosHostPackages hostPackage builders else builders
