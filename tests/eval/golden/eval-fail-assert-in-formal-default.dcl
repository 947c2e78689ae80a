({ x ? assert false; 1 }: x) { }
