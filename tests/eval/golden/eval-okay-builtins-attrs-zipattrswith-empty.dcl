with builtins; zipAttrsWith (n: v: v) [ ]
