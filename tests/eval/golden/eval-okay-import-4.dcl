import ./lib/relative.dcl
