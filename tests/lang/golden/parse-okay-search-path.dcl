[ <nixpkgs> <nixpkgs/lib> <a.b/c-d> ]
