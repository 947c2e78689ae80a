(x: 5) (throw "arg unused")
