# `networking.interfaces.<name>` (static addresses, routes, DHCP, MTU) and
# `networking.defaultGateway`/`defaultGateway6`, with NixOS's options,
# configured by the host's systemd-networkd: one
# /etc/systemd/network/40-<name>.network per declared interface (NixOS's
# name with `networking.useNetworkd`).  networkd is started (and enabled
# under multi-user.target) and reloads its files when they change
# (`networkctl reload`); it manages only the interfaces these files match,
# so the distribution's other interfaces (ifupdown, NetworkManager) stay
# theirs — an interface configured both ways is the administrator's
# conflict.
#
#   networking.interfaces.eth1.ipv4.addresses = [ { address = "192.168.1.2"; prefixLength = 24; } ];
#   networking.defaultGateway = "192.168.1.1";      # or { address; interface; metric; }
#
# A default gateway without `interface` goes to each declared interface
# with an IPv4 address in the gateway's subnet (IPv6: each interface with
# an IPv6 address), so no interface is told of a gateway it cannot reach.
{ config, lib, options, ... }:

let
  inherit (lib) mkOption types;
  cfg = config.networking;
  chk = import ../config/checks-lib.dcl { inherit lib; };
  d = import ../services/system/daemon-lib.dcl { inherit lib; };

  inherit (import ../config/address-lib.dcl { inherit lib; }) ipv4 ipv6;

  addressOpts = v: { ... }: {
    options = {
      address = mkOption {
        type = if v == 4 then ipv4 else ipv6;
        description = "The IPv${toString v} address of the interface.";
      };
      prefixLength = mkOption {
        type = types.ints.between 0 (if v == 4 then 32 else 128);
        description = "The length of the network prefix (the subnet mask in bits).";
      };
    };
  };

  routeOpts = v: { ... }: {
    options = {
      address = mkOption {
        type = if v == 4 then ipv4 else ipv6;
        description = "The network the route leads to.";
      };
      prefixLength = mkOption {
        type = types.ints.between 0 (if v == 4 then 32 else 128);
        description = "The length of its prefix.";
      };
      via = mkOption {
        type = types.nullOr (if v == 4 then ipv4 else ipv6);
        default = null;
        description = "The gateway; null: the network is on the link.";
      };
    };
  };

  family = v: {
    addresses = mkOption {
      type = types.listOf (types.submodule (addressOpts v));
      default = [ ];
      example = if v == 4 then [ { address = "10.0.0.1"; prefixLength = 16; } ] else [ { address = "fdfd:b3f0::1"; prefixLength = 64; } ];
      description = "Static IPv${toString v} addresses of the interface.";
    };
    routes = mkOption {
      type = types.listOf (types.submodule (routeOpts v));
      default = [ ];
      description = "Static IPv${toString v} routes through the interface.";
    };
  };

  interfaceOpts = { name, options, ... }: {
    options = {
      name = mkOption {
        type = types.str;
        default = name;
        description = "The name of the interface (the attribute name by default).";
      };
      _definitions = mkOption {
        type = types.unspecified;
        internal = true;
        visible = false;
        readOnly = true;
        default = { inherit (options) name; };
        description = "Where `name` was defined, for the assertions' messages.";
      };
      ipv4 = family 4;
      ipv6 = family 6;
      useDHCP = mkOption {
        type = types.nullOr types.bool;
        default = null;
        description = "Whether the interface gets addresses by DHCP (DHCP=); null: networkd's default (no).";
      };
      mtu = mkOption {
        type = types.nullOr types.ints.positive;
        default = null;
        example = 9000;
        description = "The MTU of the interface (MTUBytes=).";
      };
    };
  };

  gatewayOpts = v: { ... }: {
    options = {
      address = mkOption {
        type = if v == 4 then ipv4 else ipv6;
        description = "The address of the default gateway.";
      };
      interface = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "enp0s3";
        description = "The interface whose network file gets the default route; null: each one that can reach the gateway.";
      };
      metric = mkOption {
        type = types.nullOr types.ints.unsigned;
        default = null;
        description = "The metric of the default route.";
      };
    };
  };

  gatewayOption = v: mkOption {
    type = types.nullOr (types.coercedTo (if v == 4 then ipv4 else ipv6) (address: { inherit address; }) (types.submodule (gatewayOpts v)));
    default = null;
    example = if v == 4 then "131.211.84.1" else "2001:4d0:1e04:895::1";
    description = "The default IPv${toString v} gateway: an address, or `{ address; interface; metric; }`.";
  };

  # IPv4 subnet membership, computed on integers.
  octets = a: map lib.toInt (lib.splitString "." a);
  toNumber = a: lib.foldl' (acc: o: acc * 256 + o) 0 (octets a);
  pow2 = n: lib.foldl' (acc: _: acc * 2) 1 (lib.range 1 n);
  sameSubnet = a: prefix: b: toNumber a / pow2 (32 - prefix) == toNumber b / pow2 (32 - prefix);

  interfaces = lib.attrValues cfg.interfaces;

  # Where the name of entry `key` comes from: its `name` definitions when set, else the attribute's line.
  nameAt = key: i: chk.nameLocations options.networking.interfaces key i._definitions.name i.name;

  gatewayFor = v: gw: i:
    gw != null && (if gw.interface != null then gw.interface == i.name
      else if v == 4 then lib.any (a: sameSubnet a.address a.prefixLength gw.address) i.ipv4.addresses
      else i.ipv6.addresses != [ ]);

  route = r: "\n[Route]\nDestination=${r.address}/${toString r.prefixLength}\n${lib.optionalString (r.via != null) "Gateway=${r.via}\n"}";
  gatewayRoute = gw: "\n[Route]\nGateway=${gw.address}\n${lib.optionalString (gw.metric != null) "Metric=${toString gw.metric}\n"}";

  networkText = i: ''
    # Generated by declos (networking.interfaces.${i.name}).
    [Match]
    Name=${i.name}
    ${lib.optionalString (i.mtu != null) "\n[Link]\nMTUBytes=${toString i.mtu}\n"}
    [Network]
    ${lib.concatMapStrings (a: "Address=${a.address}/${toString a.prefixLength}\n") (i.ipv4.addresses ++ i.ipv6.addresses)}${lib.optionalString (i.useDHCP != null) "DHCP=${if i.useDHCP then "yes" else "no"}\n"}${lib.concatMapStrings route (i.ipv4.routes ++ i.ipv6.routes)}${lib.optionalString (gatewayFor 4 cfg.defaultGateway i) (gatewayRoute cfg.defaultGateway)}${lib.optionalString (gatewayFor 6 cfg.defaultGateway6 i) (gatewayRoute cfg.defaultGateway6)}'';

  fileName = i: "systemd/network/40-${i.name}.network";
  files = lib.listToAttrs (map (i: lib.nameValuePair (fileName i) { text = networkText i; }) interfaces);

  gatewayAssertions = v: gw: let opt = if v == 4 then "defaultGateway" else "defaultGateway6"; at = chk.definedIn (chk.optionLocations options.networking.${opt} (x: x != null)); in lib.optionals (gw != null) [
    {
      assertion = gw.interface == null || lib.any (i: i.name == gw.interface) interfaces;
      message = "networking.${opt}.interface${at} is ${chk.show gw.interface}, which networking.interfaces does not declare: declos configures only declared interfaces.";
    }
    {
      assertion = gw.interface != null || lib.any (gatewayFor v gw) interfaces;
      message = "networking.${opt}${at}: no interface of networking.interfaces has an IPv${toString v} address from which ${gw.address} can be reached: declare one, or set networking.${opt}.interface.";
    }
  ];
in
{
  options.networking = {
    interfaces = mkOption {
      type = types.attrsOf (types.submodule interfaceOpts);
      default = { };
      example = { eth0.ipv4.addresses = [ { address = "131.211.84.78"; prefixLength = 25; } ]; };
      description = ''
        Network interfaces configured by systemd-networkd (a .network file
        each in /etc/systemd/network): static addresses and routes, DHCP,
        the MTU.  Interfaces not declared are left to the distribution.
      '';
    };
    defaultGateway = gatewayOption 4;
    defaultGateway6 = gatewayOption 6;
  };

  config = lib.mkIf (cfg.interfaces != { }) {
    environment.etc = files // d.enableEntry "systemd-networkd.service";

    # The name is written into Name= (a list of globs, "!" negating it) and
    # the file's name: letters, digits and "_.:-" only.
    assertions = lib.mapAttrsToList (key: i: {
      assertion = builtins.match "[A-Za-z0-9_.:-]{1,15}" i.name != null && i.name != "." && i.name != "..";
      message = "networking.interfaces.${chk.show key}${chk.definedIn (nameAt key i)}: ${chk.show i.name} is not an interface name (1 to 15 letters, digits and \"_.:-\").";
    }) cfg.interfaces
    # One file per name: a second entry for the same interface was dropped.
    ++ lib.mapAttrsToList (key: i: let same = lib.filterAttrs (k: j: j.name == i.name) cfg.interfaces; in {
      assertion = lib.length (lib.attrNames same) == 1;
      message = "networking.interfaces.${chk.show key}${chk.definedIn (nameAt key i)}: the interface ${chk.show i.name} is also declared by ${lib.concatMapStringsSep ", " (k: "networking.interfaces.${chk.show k}${chk.definedIn (nameAt k same.${k})}") (lib.filter (k: k != key) (lib.attrNames same))}: declare each interface once.";
    }) cfg.interfaces
    ++ gatewayAssertions 4 cfg.defaultGateway
    ++ gatewayAssertions 6 cfg.defaultGateway6;

    system.activationScripts.networkd = d.applyScript {
      unit = "systemd-networkd.service";
      files = map (f: config.environment.etc.${f}.source) (builtins.attrNames files);
      start = true;
      action = "networkctl reload";
    };
  };
}
