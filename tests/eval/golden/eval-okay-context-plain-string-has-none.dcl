with builtins; [ (hasContext "plain") (getContext "plain") ]
