# The smallest useful declos system: a host name, one user, a time zone.
#
#   declos build examples/minimal/config.dcl        # the toplevel, ./result
#   declos switch examples/minimal/config.dcl --root /tmp/root --dry-run
{ config, lib, pkgs, ... }:

{
  networking.hostName = "minimal";

  time.timeZone = "Europe/Berlin";

  users.users.alice = {
    isNormalUser = true;
    description = "Alice";
    extraGroups = [ "wheel" ];
    openssh.authorizedKeys.keys = [
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@example"
    ];
  };

  system.stateVersion = "24.11";
}
