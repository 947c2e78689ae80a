# expected per Nix manual; 2.8 differs: 2.8 prints toJSON floats with %g (6 significant digits); current Nix uses nlohmann::json (shortest round-trip, 1.0 keeps its .0)
with builtins; toJSON [ 0.1 1.5 1.0 (-2.5) 1.0e20 1.0e-5 3.14159265358979 ]
