[ (true -> false -> true) (false -> false -> false) ]
