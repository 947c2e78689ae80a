"\a\b\c\q\$\x"
