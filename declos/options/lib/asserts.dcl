# lib.asserts: assertions with messages, for `assert lib.assertMsg c "…"; …`.
{ lib }:
let
  assertMsg = pred: msg: pred || builtins.throw msg;
  show = lib.generators.toPretty { };
in
{
  inherit assertMsg;

  assertOneOf = name: val: xs:
    assertMsg (builtins.elem val xs) "${name} must be one of ${show xs}, but is: ${show val}";

  assertEachOneOf = name: vals: xs:
    assertMsg (builtins.all (val: builtins.elem val xs) vals)
      "each element in ${name} must be one of ${show xs}, but is: ${show vals}";
}
