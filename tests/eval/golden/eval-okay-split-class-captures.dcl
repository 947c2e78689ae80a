with builtins; split "([ab])" "cabd"
