{ a, ... }@args: args
