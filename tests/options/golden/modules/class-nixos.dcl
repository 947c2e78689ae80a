{ _class = "nixos"; config = { }; }
