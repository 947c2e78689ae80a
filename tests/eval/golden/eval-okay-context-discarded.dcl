with builtins; hasContext (unsafeDiscardStringContext (toFile "ctx.txt" "c"))
