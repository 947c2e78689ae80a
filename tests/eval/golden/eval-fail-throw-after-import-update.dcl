import ./lib/value.dcl // { bad = throw "after import"; }
