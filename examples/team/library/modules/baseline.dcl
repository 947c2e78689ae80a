# The team's baseline: UTC, a closed firewall with ssh open and no ping,
# some kernel hardening, a locked-down environment and a nightly cleanup
# job.  Hosts may override any of it (most of it needs lib.mkForce, as
# these are ordinary definitions, not defaults).
{ config, lib, ... }:

{
  time.timeZone = lib.mkDefault "UTC";
  i18n.defaultLocale = lib.mkDefault "C.UTF-8";

  networking.firewall = {
    enable = true;
    allowedTCPPorts = [ 22 ];
    allowPing = false;
  };

  networking.nameservers = [ "10.53.0.1" "10.53.0.2" ];
  networking.search = [ "acme.internal" ];

  boot.kernel.sysctl = {
    "kernel.kptr_restrict" = 2;
    "kernel.dmesg_restrict" = 1;
    "net.ipv4.conf.all.rp_filter" = 1;
    "net.ipv4.conf.all.accept_redirects" = false;
    "net.ipv6.conf.all.accept_redirects" = false;
  };

  environment.variables.ACME_ENV = "production";
  environment.shellAliases.acme-status = "systemctl --failed";

  services.cron.systemCronJobs = [
    "30 3 * * * root find /tmp -xdev -type f -mtime +7 -delete"
  ];
}
