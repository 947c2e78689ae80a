{ attrsOfSub.bar.enable = true; }
