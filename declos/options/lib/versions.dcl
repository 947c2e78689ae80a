# lib.versions: components of version strings ("1.2.3-rc1").
{ lib }:
let
  inherit (builtins) elemAt splitVersion;
in
{
  inherit splitVersion;
  major = v: elemAt (splitVersion v) 0;
  minor = v: elemAt (splitVersion v) 1;
  patch = v: elemAt (splitVersion v) 2;
  majorMinor = v: builtins.concatStringsSep "." (lib.take 2 (splitVersion v));

  # pad 3 "1.2-rc" == "1.2.0-rc"
  pad = n: version:
    let
      numeric = builtins.head (lib.splitString "-" version);
      suffix = lib.removePrefix numeric version;
    in
    builtins.concatStringsSep "." (lib.take n (splitVersion numeric ++ builtins.genList (_: "0") n)) + suffix;
}
