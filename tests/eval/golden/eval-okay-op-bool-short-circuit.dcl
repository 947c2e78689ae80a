[ (true || throw "short circuit") (false && throw "short circuit") (false -> throw "short circuit") ]
