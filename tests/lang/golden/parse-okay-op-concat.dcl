a ++ b ++ c
