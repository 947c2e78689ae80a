{ types.functionTo = x: "string"; }
