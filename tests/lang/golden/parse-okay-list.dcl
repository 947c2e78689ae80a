[ 1 "a" (f x) a.b [ ] { } ./p true ]
