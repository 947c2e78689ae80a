let apply = f: f 3; in apply (x: x * x)
