./data/hello.txt
