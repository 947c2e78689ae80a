"${./data}/x"
