# A desktop workstation for two people: accounts and groups, desktop apps
# from Flathub, btrfs snapshots with snapper (and a pre/post pair around
# every switch), shell aliases and environment variables for everyone, sudo
# for the admin group, a firewall that lets nothing in but KDE Connect.
#
#   declos build examples/workstation/config.dcl
#   declos switch examples/workstation/config.dcl --root /tmp/ws --dry-run
#
# Flatpak applications are installed at activation only where the host has
# `flatpak`; snapshots are taken only when the root is on btrfs and snapper
# is installed.
{ config, lib, pkgs, ... }:

{
  networking.hostName = "workstation";
  time.timeZone = "Europe/Amsterdam";
  i18n.defaultLocale = "en_US.UTF-8";
  i18n.extraLocaleSettings.LC_TIME = "nl_NL.UTF-8";

  users.groups.developers = { gid = 2000; };
  users.groups.libvirt = { };

  users.users.alice = {
    isNormalUser = true;
    description = "Alice";
    extraGroups = [ "wheel" "audio" "video" "developers" "libvirt" ];
    shell = "/bin/bash";
  };

  users.users.bob = {
    isNormalUser = true;
    description = "Bob";
    extraGroups = [ "audio" "video" "developers" ];
  };

  # Admins may use sudo; everyone in developers may restart the dev database.
  security.sudo.extraRules = [
    { groups = [ "wheel" ]; commands = [ "ALL" ]; }
    {
      groups = [ "developers" ];
      runAs = "root";
      commands = [ { command = "/usr/bin/systemctl restart postgresql"; options = [ "NOPASSWD" ]; } ];
    }
  ];

  services.flatpak = {
    enable = true;
    remotes.flathub.url = "https://dl.flathub.org/repo/flathub.flatpakrepo";
    packages = [
      "flathub:org.mozilla.firefox"
      "org.libreoffice.LibreOffice"
      "org.gnome.Calculator"
      "com.visualstudio.code"
    ];
  };

  services.snapper.configs = {
    root = {
      SUBVOLUME = "/";
      NUMBER_LIMIT = "30";
      NUMBER_CLEANUP = true;
    };
    home = {
      SUBVOLUME = "/home";
      ALLOW_GROUPS = [ "developers" ];
      TIMELINE_CREATE = true;
      TIMELINE_CLEANUP = true;
      TIMELINE_LIMIT_HOURLY = 10;
      TIMELINE_LIMIT_DAILY = 7;
      TIMELINE_LIMIT_WEEKLY = 4;
      TIMELINE_LIMIT_MONTHLY = 6;
      TIMELINE_LIMIT_YEARLY = 0;
    };
  };

  environment.variables = {
    EDITOR = "vim";
    VISUAL = "vim";
    # so that desktop files of flatpak apps are found
    XDG_DATA_DIRS = [ "/usr/local/share" "/usr/share" "/var/lib/flatpak/exports/share" ];
  };

  environment.shellAliases = {
    ll = "ls -l --color=auto";
    la = "ls -la --color=auto";
    gs = "git status";
    update-apps = "flatpak update --noninteractive";
    snaps = "snapper -c home list";
  };

  networking.firewall = {
    enable = true;
    # KDE Connect
    allowedTCPPortRanges = [ { from = 1714; to = 1764; } ];
    allowedUDPPortRanges = [ { from = 1714; to = 1764; } ];
  };

  boot.kernel.sysctl = {
    "vm.swappiness" = 10;
    "kernel.sysrq" = 176;
  };

  # Clean the shared download area weekly.
  systemd.tmpfiles.rules = [ "d /srv/shared 2775 root developers 7d" ];

  system.stateVersion = "24.11";
}
