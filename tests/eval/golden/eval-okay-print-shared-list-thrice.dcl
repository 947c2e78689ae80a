let l = [ 1 ]; in [ l l l ]
