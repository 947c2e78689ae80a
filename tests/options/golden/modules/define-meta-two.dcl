{ meta.words = "two"; }
