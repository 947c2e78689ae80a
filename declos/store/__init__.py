"""The content-addressed store: paths, hashing, metadata DB, builders, build graph, GC."""
