import ./lib/dirmod
