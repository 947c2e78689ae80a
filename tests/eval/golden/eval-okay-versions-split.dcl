with builtins; [ (splitVersion "1.2.3") (splitVersion "2.3pre1") (splitVersion "1-2_3") (splitVersion "") (splitVersion "1.2a") (splitVersion "..1") ]
