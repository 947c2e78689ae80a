with { }; 42
