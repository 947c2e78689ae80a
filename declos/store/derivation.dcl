/* `derivation`: Nix's derivation.nix, a wrapper around `derivationStrict`.

   Returns the first output's attribute set: the arguments (`drvAttrs`)
   merged with one attribute per output, `all`, `drvPath`, `outPath`,
   `outputName` and `type = "derivation"`.  Every output's set looks the
   same except for `outPath` and `outputName`.  Kept byte-for-byte in
   behaviour with Nix, so that `outPath`/`drvPath` match real Nix. */

drvAttrs @ { outputs ? [ "out" ], ... }:

let

  strict = derivationStrict drvAttrs;

  commonAttrs = drvAttrs // (builtins.listToAttrs outputsList) //
    { all = map (x: x.value) outputsList;
      inherit drvAttrs;
    };

  outputToAttrListElement = outputName:
    { name = outputName;
      value = commonAttrs // {
        outPath = builtins.getAttr outputName strict;
        drvPath = strict.drvPath;
        type = "derivation";
        inherit outputName;
      };
    };

  outputsList = map outputToAttrListElement outputs;

in (builtins.head outputsList).value
