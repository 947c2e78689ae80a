/* Fixed-output downloads: `pkgs.fetchurl` and `builtins.fetchurl`.

   Both are derivations with the in-process builder `builtin:fetchurl`
   (declos/store/pkgs/fetch.py), as Nix's <nix/fetchurl.nix>: the file is
   downloaded when the derivation is built, and the store refuses it unless
   its hash is the one given.  Their store paths are Nix's: a flat
   fixed-output path depends on the name and the hash only.

     pkgs.fetchurl { url = "https://…/a.tar.gz"; hash = "sha256-…"; }
     builtins.fetchurl { url = "https://…/a.txt"; sha256 = "0v…"; }   # its path

   Not known yet?  Give `hash = lib.fakeHash;`: the build fails with the
   hash it got.
*/
let
  impureEnvVars = [ "http_proxy" "https_proxy" "ftp_proxy" "all_proxy" "no_proxy" ];

  hashAttrs = what: hash: sha256:
    if hash != "" then { outputHash = hash; outputHashAlgo = ""; }
    else if sha256 != "" then { outputHash = sha256; outputHashAlgo = "sha256"; }
    else throw "${what}: give the expected `hash` (e.g. \"sha256-…\"; lib.fakeHash to learn it from the failed build) or `sha256`: declos downloads when building, and checks what it got";

  fixed = { what, urls, hash, sha256, name, executable }:
    derivation ({
      name = if name != null then name else baseNameOf (builtins.head urls);
      builder = "builtin:fetchurl";
      system = "builtin";
      url = builtins.head urls;
      inherit urls executable impureEnvVars;
      unpack = false;
      outputHashMode = if executable then "recursive" else "flat";
      preferLocalBuild = true;
    } // hashAttrs what hash sha256);

in
{
  /* pkgs.fetchurl { url | urls; hash | sha256; name ? baseNameOf url; executable ? false; } */
  fetchurl = { url ? "", urls ? [ ], hash ? "", sha256 ? "", name ? null, executable ? false, ... }:
    let all = (if url != "" then [ url ] else [ ]) ++ urls; in
    if all == [ ] then throw "fetchurl: give `url` (or `urls`)"
    else fixed {
      what = "fetchurl '${builtins.head all}'";
      urls = all;
      inherit hash sha256 name executable;
    };

  /* builtins.fetchurl "URL" or { url; sha256 | hash; name ? …; }: the
     downloaded file's store path (built when something uses it). */
  builtin = args:
    let a = if builtins.isAttrs args then args else { url = args; }; in
    (fixed {
      what = "builtins.fetchurl '${toString a.url}'";
      urls = [ (toString a.url) ];
      hash = a.hash or "";
      sha256 = a.sha256 or "";
      name = a.name or null;
      executable = false;
    }).outPath;
}
