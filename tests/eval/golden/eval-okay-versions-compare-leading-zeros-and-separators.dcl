with builtins; [ (compareVersions "1.2.3" "1.02.3") (compareVersions "1-2" "1.2") (compareVersions "10" "9") (compareVersions "a" "b") (compareVersions "1a" "1") ]
