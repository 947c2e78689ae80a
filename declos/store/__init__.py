"""The content-addressed store: paths, hashing, metadata DB, builders, build graph, GC.

The modules, in dependency order: `hashing` (NAR; Nix base32 from `declos.eval.hashes`), `paths`
(`StorePath`, Nix's path computations), `derivation` (ATerm, output paths),
`db` (SQLite metadata), `fs` (normalise, scan, copy), `store` (`Store`:
atomic installs), `builders` (running one derivation), `graph` (parallel
builds), `gc` (roots, collection, verify); then the glue to the evaluator:
`builtins` (`EvalStore`, `derivationStrict`, `derivation.dcl`), `realise`
(what `declos build` does) and `pkgs/default.dcl` (`<declos/pkgs>`, the
build helpers for modules).  Import them directly; this
package imports nothing so that `declos --version` stays fast.
"""
