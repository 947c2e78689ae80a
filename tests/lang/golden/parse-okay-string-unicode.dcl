"héllo wörld λ 🙂"
