[ 1 (x: x) ({ a ? 1 }@args: a) ]
