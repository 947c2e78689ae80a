{ either = "s"; }
