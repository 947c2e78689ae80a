# lib.meta: small helpers for derivation metadata and priorities.
{ lib }:
{
  addMetaAttrs = newAttrs: drv: drv // { meta = (drv.meta or { }) // newAttrs; };
  dontDistribute = drv: drv // { meta = (drv.meta or { }) // { hydraPlatforms = [ ]; }; };
  setName = name: drv: drv // { inherit name; };
  updateName = updater: drv: drv // { name = updater (drv.name); };
  appendToName = suffix: drv:
    let p = builtins.parseDrvName drv.name; in
    drv // { name = "${p.name}-${suffix}-${p.version}"; };
  mapDerivationAttrset = f: set:
    builtins.mapAttrs (name: pkg: if lib.isDerivation pkg then f pkg else pkg) set;
  setPrio = priority: drv: drv // { meta = (drv.meta or { }) // { inherit priority; }; };
  lowPrio = drv: lib.meta.setPrio 10 drv;
  hiPrio = drv: lib.meta.setPrio (-10) drv;
  lowPrioSet = set: lib.meta.mapDerivationAttrset lib.meta.lowPrio set;
  hiPrioSet = set: lib.meta.mapDerivationAttrset lib.meta.hiPrio set;
}
