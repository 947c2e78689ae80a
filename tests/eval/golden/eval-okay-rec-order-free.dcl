rec { x = y; y = 10; }.x
