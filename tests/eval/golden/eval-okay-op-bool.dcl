[ (true && false) (true || false) (!true) (false -> true) (true -> false) (!false && true) ]
