[ (true) (false) (null) ]
