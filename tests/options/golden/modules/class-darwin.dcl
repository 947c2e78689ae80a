{ _class = "darwin"; config = { }; }
