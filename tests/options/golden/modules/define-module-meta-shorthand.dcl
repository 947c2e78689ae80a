{ meta.words = "short"; enable = true; }
