{ submodule.config = true; }
