assert x != null; x
