# The module library the introspection tests use in place of declos' own
# (passed as -I declos/modules=<this directory>).
[ ./system.dcl ]
