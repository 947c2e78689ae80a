{ custom, ... }: { imports = if custom then [ ] else [ ]; }
