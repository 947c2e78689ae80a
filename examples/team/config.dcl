# A build machine of the ACME platform team: everything from the team's
# library (<teamlib>, a second directory on DECLOS_PATH), a few of its
# choices overridden for this host.  See README.md for the command.
{ config, lib, pkgs, ... }:

{
  imports = [ <teamlib> ];

  networking.hostName = "build01";

  # The library only sets a default time zone: a plain definition wins.
  time.timeZone = "Europe/Berlin";

  team.admins = {
    carol.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx2d2iVhBLxLqcrvRt5Rk2OQ8J0xqVs6vS0gqKJZ1yD carol@acme" ];
    dave.keys = [ ];
  };
  team.healthcheck.schedule = "*:0/15";

  # The build farm's monitoring pings this host, and its builders read
  # the kernel log: override the library's definitions.
  networking.firewall.allowPing = lib.mkForce true;
  boot.kernel.sysctl."kernel.dmesg_restrict" = lib.mkForce 0;

  # Builds need more than ssh: replace the library's port list.
  networking.firewall.allowedTCPPorts = lib.mkForce [ 22 8080 ];

  # Replace the team's cleanup job: builds keep their scratch space longer.
  services.cron.systemCronJobs = lib.mkForce [
    "30 3 * * * root find /tmp -xdev -type f -mtime +30 -delete"
    "0 4 * * 0 root find /var/cache/builds -mindepth 1 -maxdepth 1 -mtime +14 -exec rm -rf {} +"
  ];

  environment.variables.ACME_ENV = lib.mkForce "build";

  users.users.builder = {
    isSystemUser = true;
    group = "builder";
    home = "/var/lib/builder";
    createHome = true;
  };
  users.groups.builder = { };

  system.stateVersion = "24.11";
}
