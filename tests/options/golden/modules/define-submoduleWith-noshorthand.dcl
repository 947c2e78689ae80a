{ submodule.config.config = true; }
