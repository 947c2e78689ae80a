{ either.a = 10; oneOfSub = { }; }
