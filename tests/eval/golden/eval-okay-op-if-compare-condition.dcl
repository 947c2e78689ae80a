let x = 5; in if x > 3 then "big" else "small"
