# expected per Nix manual; 2.8 differs: current nix-instantiate ends --json output with a newline (2.8 does not); floats are printed by nlohmann::json (shortest round-trip, 1.0 keeps its .0)
[ 0.1 1.0 1.0e30 (-1.5) ]
