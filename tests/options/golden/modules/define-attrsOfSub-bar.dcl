{ attrsOfSub.bar = { }; }
