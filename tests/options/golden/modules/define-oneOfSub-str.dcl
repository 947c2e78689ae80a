{ either = { }; oneOfSub = "plain"; }
