with builtins; pathExists "/definitely/not/here"
