{ meta.maintainer = "alice"; enable = true; }
