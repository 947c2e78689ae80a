{ lib, config, ... }: { services = lib.mkIf config.services.web.enable { web.port = 2; }; }
