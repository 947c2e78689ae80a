# Every module of the base library, in no particular order: a configuration
# is evaluated as `evalModules { modules = [ CONFIG ] ++ import
# <declos/modules/module-list.dcl>; }` (declos/options/configuration.py).
[
  ./config/etc.dcl
  ./config/host-packages.dcl
  ./config/i18n.dcl
  ./config/networking.dcl
  ./config/shells-environment.dcl
  ./config/sysctl.dcl
  ./config/system-path.dcl
  ./config/timezone.dcl
  ./config/users-groups.dcl
  ./security/apparmor.dcl
  ./security/sudo.dcl
  ./services/desktops/flatpak.dcl
  ./services/misc/snapper.dcl
  ./services/networking/firewall.dcl
  ./services/nginx.dcl
  ./services/openssh.dcl
  ./services/scheduling/cron.dcl
  ./system/activation.dcl
  ./system/checks.dcl
  ./system/etc-overlay.dcl
  ./system/systemd.dcl
  ./system/systemd-user.dcl
  ./system/tmpfiles.dcl
  ./system/toplevel.dcl
  ./tasks/filesystems.dcl
]
