[ 1 (abort "in a list") ]
