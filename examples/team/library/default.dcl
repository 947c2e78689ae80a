# The ACME platform team's module library: what every one of the team's
# machines has.  Kept in its own repository and found through DECLOS_PATH
# (see ../README.md):
#
#   imports = [ <teamlib> ];
{
  imports = [
    ./modules/baseline.dcl
    ./modules/admins.dcl
    ./modules/healthcheck.dcl
  ];
}
