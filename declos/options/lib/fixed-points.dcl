# lib.fixedPoints: fixed points of functions and overlay composition.
#
# Everything here is lazy in the fixed point: `fix (self: { a = 1; b = self.a + 1; })`
# only works because attribute values are thunks.  `makeExtensible` is what
# default.dcl builds `lib` itself with, so this file must not use `lib` at
# its top level (only inside function bodies that run after `lib` exists).
{ lib }:
let
  fix = f: let result = f result; in result;

  # Like `fix`, but remembers the function so that it can be re-extended.
  fix' = f: let result = f result // { __unfix__ = f; }; in result;

  extends = overlay: f: final:
    let prev = f final; in prev // overlay final prev;

  composeExtensions = first: second: final: prev:
    let
      firstResult = first final prev;
      afterFirst = prev // firstResult;
    in
    firstResult // second final afterFirst;

  makeExtensibleWithCustomName = extenderName: rattrs:
    fix' (self: rattrs self // {
      ${extenderName} = overlay: makeExtensibleWithCustomName extenderName (extends overlay rattrs);
    });
in
{
  inherit fix fix' extends composeExtensions makeExtensibleWithCustomName;

  converge = f: x:
    let next = f x; in if next == x then x else lib.fixedPoints.converge f next;

  composeManyExtensions = extensions:
    lib.foldr composeExtensions (final: prev: { }) extensions;

  makeExtensible = makeExtensibleWithCustomName "extend";

  # An overlay, or a function of `prev` only, or an attrset, as an overlay.
  toExtension = f:
    if lib.isFunction f then
      final: prev:
        let fPrev = f prev; in if lib.isFunction fPrev then f final prev else fPrev
    else
      final: prev: f;
}
