{ attrsOfSub.foo.enabel = true; }
