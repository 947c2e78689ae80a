with builtins; [ (compareVersions "2.3a" "2.3c") (compareVersions "2.3pre1" "2.3c") (compareVersions "2.3pre1" "2.3q") (compareVersions "1.0" "1.0.0") (compareVersions "" "1") ]
