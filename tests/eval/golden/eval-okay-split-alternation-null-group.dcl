with builtins; split "(a)|(b)" "xaybz"
