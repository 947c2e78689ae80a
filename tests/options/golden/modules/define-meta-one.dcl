{ meta.words = "one"; }
