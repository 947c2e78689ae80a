{ alpha = 1; }.zzzzzz
