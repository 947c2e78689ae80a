# expected per Nix manual; 2.8 differs: 2.8 prints the attribute name "$" as "\$"; current Nix escapes $ only before {
{ "a\"b" = 1; "a\\b" = 2; "a\nb" = 3; "$" = 4; "\${x}" = 5; }
