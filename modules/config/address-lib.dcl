# The address types of the options that take IP addresses
# (networking.interfaces, networking.defaultGateway, networking.nameservers,
# networking.hosts).  A helper, never listed in module-list.dcl:
#
#   addr = import ../config/address-lib.dcl { inherit lib; };
#   addr.ipv4.check "10.0.0.1"     # true ("10.0.0.300", "010.0.0.1" are not)
#
# An IPv4 address is four decimal numbers from 0 to 255 without a leading
# zero: systemd-networkd refuses a number above 255 only when it starts,
# and glibc's resolver reads "010" as octal (8), so either would be a
# file written that does not mean what it says.  As a type, a bad address
# is refused with the option, what was expected and the definition's
# file:line, like every other type error.
{ lib }:

let
  inherit (lib) types;

  octet = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
  ipv4Pattern = "${octet}(\\.${octet}){3}";
  ipv6Pattern = "[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*";
in
{
  inherit ipv4Pattern ipv6Pattern;

  ipv4 = types.strMatching ipv4Pattern // { description = "IPv4 address"; };
  ipv6 = types.strMatching ipv6Pattern // { description = "IPv6 address"; };

  # Either, with an optional IPv6 zone ("fe80::1%eth0").
  address = types.strMatching "${ipv4Pattern}|${ipv6Pattern}(%[A-Za-z0-9_.-]+)?" // {
    description = "IPv4 or IPv6 address";
  };
}
