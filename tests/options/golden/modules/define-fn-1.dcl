{ fn = x: [ x ]; }
