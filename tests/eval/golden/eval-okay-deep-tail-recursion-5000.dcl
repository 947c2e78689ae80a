let go = n: acc: if n == 0 then acc else go (n - 1) (acc + n); in go 5000 0
