let inherit ({ x = 1; }) yyyy; in yyyy
