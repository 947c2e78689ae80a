with builtins; match ".*(foo|bar).*" "xxbarxx"
