# lib.debug: tracing helpers and the runTests harness.
#
# Tracing goes to stderr through builtins.trace; the value is returned
# unchanged.  `traceSeq` and friends force their argument deeply first.
{ lib }:
let
  inherit (builtins) trace deepSeq isList isAttrs mapAttrs;

  traceValFn = f: x: trace (f x) x;
  traceSeqN = depth: x: y:
    let
      placeholder = text: v: { __pretty = _: text; val = v; };
      snip = v:
        if isList v then placeholder "[…]" v
        else if isAttrs v then placeholder "{…}" v
        else v;
      cut = n: v:
        if n == 0 then snip v
        else if isList v then map (cut (n - 1)) v
        else if isAttrs v then mapAttrs (_: cut (n - 1)) v
        else v;
    in
    trace (lib.generators.toPretty { allowPrettyValues = true; } (cut depth x)) y;
  traceValSeqFn = f: v: traceValFn f (deepSeq v v);
  traceValSeqNFn = f: depth: v: traceSeqN depth (f v) v;
in
{
  inherit traceValFn traceSeqN traceValSeqFn traceValSeqNFn;

  traceIf = pred: msg: x: if pred then trace msg x else x;
  traceVal = traceValFn (x: x);
  traceSeq = x: y: trace (deepSeq x x) y;
  traceValSeq = traceValSeqFn (x: x);
  traceValSeqN = traceValSeqNFn (x: x);
  traceFnSeqN = depth: name: f: v:
    let res = f v; in traceSeqN (depth + 1) { fn = name; from = v; to = res; } res;

  # A set of `testName = { expr; expected; }` → the list of failures,
  # `[ { name; expected; result; } ]`; `tests = [ names ]` runs only those.
  runTests = tests:
    let
      only = tests.tests or [ ];
      selected = name:
        (builtins.substring 0 4 name == "test" || builtins.elem name only)
        && (only == [ ] || builtins.elem name only);
    in
    builtins.concatLists (builtins.attrValues (mapAttrs (name: test:
      if selected name && test.expr != test.expected
      then [ { inherit name; expected = test.expected; result = test.expr; } ]
      else [ ]) tests));

  testAllTrue = expr: { inherit expr; expected = map (x: true) expr; };
}
