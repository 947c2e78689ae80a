{ inherit "a" ${"b"}; }
