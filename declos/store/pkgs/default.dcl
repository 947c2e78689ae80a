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

in rec {

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

  /* symlinkJoin { name; paths; }: one tree of symlinks over several. */
  symlinkJoin = { name, paths, postBuild ? "", ... }:
    if postBuild != "" then
      throw "symlinkJoin '${name}': postBuild is not supported by declos; use runCommand"
    else mkBuiltin "builtin:buildenv" { inherit name paths; };

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
}
