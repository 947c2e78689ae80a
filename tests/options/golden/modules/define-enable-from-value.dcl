{ lib, config, ... }: { enable = config.value > 10; }
