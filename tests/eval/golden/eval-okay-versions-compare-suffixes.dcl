with builtins; [ (compareVersions "2.3.1" "2.3") (compareVersions "2.3.1" "2.3a") (compareVersions "2.3pre1" "2.3") (compareVersions "2.3" "2.3pre1") (compareVersions "2.3pre3" "2.3pre12") ]
