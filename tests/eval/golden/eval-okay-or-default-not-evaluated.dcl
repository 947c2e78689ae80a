{ a.b = 1; }.a.b or (throw "not used")
