# Every module of the base library, in no particular order: a configuration
# is evaluated as `evalModules { modules = [ CONFIG ] ++ import
# <declos/modules/module-list.dcl>; }` (declos/options/configuration.py).
[
  ./config/etc.dcl
  ./config/networking.dcl
  ./config/sysctl.dcl
  ./config/system-path.dcl
  ./config/timezone.dcl
  ./config/users-groups.dcl
  ./services/openssh.dcl
  ./services/networking/firewall.dcl
  ./system/activation.dcl
  ./system/systemd.dcl
  ./system/toplevel.dcl
]
