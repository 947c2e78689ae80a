let x = throw "not forced"; in 1
