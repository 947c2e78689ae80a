{ imports = [ ./disable-recursive-foo.dcl ./disable-recursive-bar.dcl ]; enable = true; }
