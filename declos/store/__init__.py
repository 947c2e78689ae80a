"""The content-addressed store: paths, hashing, metadata DB, builders, build graph, GC.

The modules, in dependency order: `hashing` (Nix base32, NAR), `paths`
(`StorePath`, Nix's path computations), `derivation` (ATerm, output paths),
`db` (SQLite metadata), `fs` (normalise, scan, copy), `store` (`Store`:
atomic installs), `builders` (running one derivation), `graph` (parallel
builds), `gc` (roots, collection, verify).  Import them directly; this
package imports nothing so that `declos --version` stays fast.
"""
