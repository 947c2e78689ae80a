# What every node of the fleet has: ssh with keys only (root logs in with
# the deployer's key: `declos deploy` connects as deployment.targetUser,
# root by default), an administrator, the time zone and the journal's size.
{ config, lib, name, ... }:

{
  time.timeZone = "UTC";

  services.openssh = {
    enable = true;
    settings = {
      PasswordAuthentication = false;
      KbdInteractiveAuthentication = false;
      PermitRootLogin = "prohibit-password";
    };
  };

  # The key `declos deploy` logs in with.
  users.users.root.openssh.authorizedKeys.keys = [
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl deployer@example"
  ];

  users.users.alice = {
    isNormalUser = true;
    description = "Alice (operations)";
    extraGroups = [ "wheel" ];
    openssh.authorizedKeys.keys = [
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@example"
    ];
  };

  services.journald.extraConfig = ''
    SystemMaxUse=200M
  '';

  # Every host says which node of the fleet it is.
  environment.etc."fleet-node".text = "${name}\n";

  # sshd must be running for the deployer to confirm the switch.
  deployment.healthChecks = [ "systemctl is-active --quiet sshd.service" ];

  system.stateVersion = "24.11";
}
